"""Organisations' own outcome measures (docs/custom-measures.md): defined, revised, published and retired
by the organisation's clinical lead (`Perm.MEASURE_DEFINE`), every change with its audit row.

Versions: a new measure starts as draft version 1. A draft may be changed as often as needed; publishing
makes it the version recorded with from then on, and it never changes again (measurements name it).
Revising a published measure starts the next version as a draft, so a measurement always keeps the
version it was scored with, and its result is never worked out again with another one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import create_audited, edit_audited, save_audited
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.library.loader import default_library
from kneadwell.outcomes.instruments.organisation import SLUG_PATTERN, check_definition, slug_for
from kneadwell.outcomes.models import OrganisationMeasure, OrganisationMeasureVersion
from kneadwell.outcomes.selectors.organisation_measures import forget

ENTITY = "organisation_measure"
VERSION_ENTITY = "organisation_measure_version"
MEASURE_FIELDS = ("slug", "published_number", "retired_at")
_TAKEN = gettext_noop("Your organisation already has a measure named {!r}: choose another short name.")


def protocol_measures() -> dict[str, str]:
    """The programmes' measures an organisation's measure may record (id -> label): those Kneadwell has no
    instrument for (a licensed questionnaire such as PedsQL, or one not yet built in)."""
    return {
        m.id: m.label
        for m in default_library().measures.values()
        if getattr(m, "organisation_defined", False) or (not m.instruments and not m.in_session)
    }


def _checked(definition: Mapping[str, Any]) -> dict[str, Any]:
    clean, problems = check_definition(definition, protocol_measures=protocol_measures())
    if problems:
        errors: dict[str, list[str]] = {}
        for name, message in problems:
            errors.setdefault(name, []).append(message)
        raise ValidationFailed(errors)
    return clean


def _newest(measure: OrganisationMeasure) -> OrganisationMeasureVersion | None:
    return (
        OrganisationMeasureVersion.objects.within(measure).filter(measure=measure).order_by("-number").first()
    )


def _mine(actor: Actor, measure: OrganisationMeasure) -> None:
    if measure.organisation_id != actor.organisation_id:
        raise NotFound(_("No such measure in your organisation."))


def organisation_measure_create(
    *, actor: Actor, definition: Mapping[str, Any], slug: str = ""
) -> OrganisationMeasure:
    """A new measure with its definition as draft version 1. `slug` (the end of its instrument id) is made
    from the short name when not given, and never changes."""
    actor.require(Perm.MEASURE_DEFINE)
    clean = _checked(definition)
    chosen = slug.strip().lower() or slug_for(str(clean["short_name"] or clean["name"]))
    if not SLUG_PATTERN.match(chosen):
        raise ValidationFailed(
            {"slug": [_("Use 1-40 lower-case letters, digits and hyphens (not at either end).")]}
        )
    taken = OrganisationMeasure.objects.for_organisation(actor.organisation_id).filter(slug=chosen)
    if taken.exists():
        raise ValidationFailed({"slug": [_(_TAKEN).format(chosen)]})
    try:
        with transaction.atomic():
            measure = create_audited(
                actor=actor,
                obj=OrganisationMeasure(
                    organisation_id=actor.organisation_id, slug=chosen, created_by=actor.user
                ),
                entity=ENTITY,
                summary=f"defined the measure {clean['name']} (draft version 1)"[:500],
                changes={"slug": chosen},
            )
            create_audited(
                actor=actor,
                obj=OrganisationMeasureVersion(
                    measure=measure, number=1, definition=clean, created_by=actor.user
                ),
                entity=VERSION_ENTITY,
                summary=f"drafted version 1 of {clean['name']}"[:500],
                changes={"measure": chosen, "number": 1, "definition": clean},
            )
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationFailed({"slug": [_(_TAKEN).format(chosen)]}) from None
    return measure


def organisation_measure_revise(
    *,
    actor: Actor,
    measure: OrganisationMeasure,
    definition: Mapping[str, Any],
    expected_version: int | None,
) -> OrganisationMeasureVersion:
    """Change the draft, or, when the newest version is published, start the next version as a draft
    (the published one stays as it is). `expected_version` is the measure's `version` the editor loaded."""
    actor.require(Perm.MEASURE_DEFINE)
    _mine(actor, measure)
    clean = _checked(definition)
    with edit_audited(
        actor=actor,
        queryset=OrganisationMeasure.objects.for_organisation(actor.organisation_id),
        pk=measure.pk,
        expected_version=expected_version,
        not_found="No such measure in your organisation.",
        entity=ENTITY,
        fields=MEASURE_FIELDS,
    ) as edit:
        row = edit.row
        if row.retired_at is not None:
            raise DomainError(_("This measure is retired; it can be read but no longer changed."))
        newest = _newest(row)
        if newest is None or newest.published_at is not None:
            number = (newest.number if newest else 0) + 1
            version = create_audited(
                actor=actor,
                obj=OrganisationMeasureVersion(
                    measure=row, number=number, definition=clean, created_by=actor.user
                ),
                entity=VERSION_ENTITY,
                summary=f"drafted version {number} of {clean['name']}"[:500],
                changes={"measure": row.slug, "number": number, "definition": clean},
            )
            edit.summary = f"started version {number} of {clean['name']} as a draft"[:500]
        else:
            before = newest.definition
            newest.definition = clean
            version = save_audited(
                actor=actor,
                obj=newest,
                entity=VERSION_ENTITY,
                summary=f"changed draft version {newest.number} of {clean['name']}"[:500],
                changes={"definition": [before, clean]},
                update_fields=["definition", "updated_at"],
            )
            edit.summary = f"changed draft version {newest.number} of {clean['name']}"[:500]
    return version


def organisation_measure_publish(
    *, actor: Actor, measure: OrganisationMeasure, expected_version: int | None
) -> OrganisationMeasureVersion:
    """Publish the draft: measurements recorded from now on are scored with it and name its number."""
    actor.require(Perm.MEASURE_DEFINE)
    _mine(actor, measure)
    with edit_audited(
        actor=actor,
        queryset=OrganisationMeasure.objects.for_organisation(actor.organisation_id),
        pk=measure.pk,
        expected_version=expected_version,
        not_found="No such measure in your organisation.",
        entity=ENTITY,
        fields=MEASURE_FIELDS,
    ) as edit:
        row = edit.row
        if row.retired_at is not None:
            raise DomainError(_("This measure is retired; it can be read but no longer published."))
        draft = _newest(row)
        if draft is None or draft.published_at is not None:
            raise DomainError(_("There is no draft to publish: edit the measure to start a new version."))
        # Checked again: the rules may have tightened since the draft was saved.
        _checked(draft.definition)
        draft.published_at = timezone.now()
        draft.published_by = actor.user
        save_audited(
            actor=actor,
            obj=draft,
            entity=VERSION_ENTITY,
            summary=f"published version {draft.number} of {draft.definition['name']}"[:500],
            changes={"published_at": snapshot(draft, ["published_at"])["published_at"]},
            update_fields=["published_at", "published_by", "updated_at"],
        )
        row.published_number = draft.number
        edit.summary = f"published version {draft.number} of {draft.definition['name']}"[:500]
    forget(actor.organisation_id)
    return draft


def organisation_measure_retire(
    *, actor: Actor, measure: OrganisationMeasure, expected_version: int | None
) -> OrganisationMeasure:
    """No longer offered for new entries; the definition and everything recorded with it stay readable."""
    actor.require(Perm.MEASURE_DEFINE)
    _mine(actor, measure)
    with edit_audited(
        actor=actor,
        queryset=OrganisationMeasure.objects.for_organisation(actor.organisation_id),
        pk=measure.pk,
        expected_version=expected_version,
        not_found="No such measure in your organisation.",
        entity=ENTITY,
        fields=MEASURE_FIELDS,
    ) as edit:
        row = edit.row
        if row.retired_at is not None:
            raise DomainError(_("This measure is already retired."))
        row.retired_at = timezone.now()
        row.retired_by = actor.user
        edit.summary = f"retired the measure {row.slug}"
    forget(actor.organisation_id)
    return row
