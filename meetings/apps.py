from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "组织生活与会议"

    def ready(self):
        from meetings import listeners  # noqa: F401  (registers the core.events listeners)
