from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共机制（审计、周期、规则、期限、通知、附件）"

    def ready(self):
        # Registries are filled by each app's `registry` module; import them once here.
        from core import registry

        registry.autodiscover()
