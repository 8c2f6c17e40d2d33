"""Check all the clinical content and record the content version in force (called by `kneadwell serve` /
`migrate` through `kneadwell.core.setup.load_content`). Idempotent: loading the same files again adds
nothing.

The version is the one over all content (library, evidence, instruments; kneadwell.content.loader), so the
row recorded here is the one that readiness checks, intakes, plans and sessions name in `content_version`
("label+first 12 characters of sha256")."""

from __future__ import annotations

from kneadwell.content.check import check_content
from kneadwell.library.loader import default_library
from kneadwell.library.models import ContentVersionRecord


def sync() -> str:
    version = check_content()
    library = default_library()
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
        f"Content {version} {state} (library, evidence and instruments checked): "
        f"{len(library.techniques)} techniques, "
        f"{len(library.protocols)} protocols, {len(library.rules)} safety rules, "
        f"{len(library.sources)} sources."
    )
