"""The project's own number formats (settings.FORMAT_MODULE_PATH), read before Django's: one decimal mark
per language across the app (core.marking.decimal_mark, docs/languages.md "Numbers")."""
