from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kneadwell.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kneadwell.accounts import signals  # noqa: F401 - connects the audit receivers
