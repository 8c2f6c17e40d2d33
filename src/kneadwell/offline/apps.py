from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "kneadwell.offline"
    label = "offline"
    default_auto_field = "django.db.models.BigAutoField"
