from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "kneadwell.care"
    label = "care"
    default_auto_field = "django.db.models.BigAutoField"
