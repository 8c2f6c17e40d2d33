from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kneadwell.core"
    label = "core"
