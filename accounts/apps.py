from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import mark_renewed

        user_logged_in.connect(mark_renewed, dispatch_uid="accounts.session_renewed_at_login")
