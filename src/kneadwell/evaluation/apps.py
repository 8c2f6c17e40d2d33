from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "kneadwell.evaluation"
    label = "evaluation"
    verbose_name = "Programme evaluation"
    default_auto_field = "django.db.models.BigAutoField"
