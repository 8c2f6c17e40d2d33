"""Record the content version in force (called by `kneadwell serve` / `migrate`). Idempotent: loading
the same files again adds nothing."""

from __future__ import annotations

from kneadwell.library.loader import default_library
from kneadwell.library.models import ContentVersionRecord


def sync() -> str:
    library = default_library()
    version = library.version
    _, created = ContentVersionRecord.objects.get_or_create(
        sha256=version.sha256,
        defaults={
            "label": version.label,
            "reviewed_on": version.reviewed_on,
            "reviewed_by": version.reviewed_by,
        },
    )
    state = "recorded" if created else "already recorded"
    return (
        f"Content library {version.label} ({version.sha256[:12]}) {state}: "
        f"{len(library.techniques)} techniques, "
        f"{len(library.protocols)} protocols, {len(library.rules)} safety rules."
    )
