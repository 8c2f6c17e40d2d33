from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kneadwell.core"
    label = "core"

    def ready(self) -> None:
        from kneadwell.core.i18n import memoise_translations

        memoise_translations()
