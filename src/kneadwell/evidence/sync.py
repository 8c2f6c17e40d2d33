"""Record the evidence counts of the content version in force (called by `kneadwell serve` / `migrate`
through `kneadwell.core.setup.load_content`). Idempotent: loading the same files again adds nothing.

`content_version` is the one content hash ("sha256:" + the hash in ContentVersionRecord, recorded by
library.sync); this row adds how many studies, findings and claims that version holds."""

from __future__ import annotations

from kneadwell.evidence.library import load_evidence
from kneadwell.evidence.models import EvidenceContentRecord


def sync() -> str:
    library = load_evidence()
    _, created = EvidenceContentRecord.objects.get_or_create(
        content_version=library.content_version,
        defaults={
            "studies": len(library.studies),
            "findings": len(library.findings),
            "claims": len(library.claims),
        },
    )
    state = "recorded" if created else "already recorded"
    return (
        f"Evidence library {library.content_version[:19]} {state}: {len(library.studies)} studies, "
        f"{len(library.findings)} findings, {len(library.claims)} claims."
    )
