from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Outcome measures and growth: recorded measurements, their scoring, plausibility and charts. The pure
    packages `outcomes.instruments` and `outcomes.growth` do the maths; this app stores and shows."""

    name = "kneadwell.outcomes"
    label = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"
