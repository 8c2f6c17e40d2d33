from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "kneadwell.interop"
    label = "interop"
    verbose_name = "Import, export and backup"
