from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "kneadwell.courses"
    label = "courses"
    default_auto_field = "django.db.models.BigAutoField"
