"""Start Django from the command line (the `kneadwell` console script is not `manage.py`)."""

from __future__ import annotations

import os


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kneadwell.settings")
    import django

    django.setup()
