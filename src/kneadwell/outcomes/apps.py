from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Outcome measures and growth: recorded measurements, their scoring, plausibility and charts. The pure
    packages `outcomes.instruments` and `outcomes.growth` do the maths; this app stores and shows."""

    name = "kneadwell.outcomes"
    label = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Organisations' own measures are found by `instruments.get_instrument` like catalogue ones.
        from kneadwell.outcomes.selectors.organisation_measures import install_resolver

        install_resolver()
