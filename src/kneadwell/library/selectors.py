"""Reads for the library area: the loaded content, an organisation's screening settings and release
policy, a client's intake, readiness checks and releases, and the screening of the current record.
Client-bound reads take a client already loaded through `clients.selectors.client_get`, which checked
access and noted the read, and still go through the scoped entry point (`of_client`): inside a request, a
client of another organisation than the actor's finds nothing (kneadwell.core.tenancy)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import shared_read
from kneadwell.core.errors import NotFound, ValidationFailed
from kneadwell.library import localise
from kneadwell.library.bundle import ENGLISH, BundleClient, BundleRelease, engine_phrases, rules_bundle
from kneadwell.library.catalog import Library
from kneadwell.library.facts import client_facts
from kneadwell.library.loader import default_library
from kneadwell.library.models import Intake, ReadinessCheck, Release
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import GivenRelease, Verdict, screen

SETTINGS_KEY = "screening"
RELEASES_KEY = "releases"
TRANSLATIONS_KEY = "translations"
# Roles that may hold the release permission at all (accounts.roles.GRID); an organisation may narrow it.
RELEASE_ROLES = ("admin", "therapist")
# How old today's check may be when a session starts (design choice: the answers describe "now").
CHECK_FRESH_MINUTES = 60


def library() -> Library:
    return default_library()


def screening_settings(organisation: Organisation) -> ScreeningSettings:
    overrides = (organisation.settings or {}).get(SETTINGS_KEY, {})
    return ScreeningSettings.for_library(library(), overrides)


@dataclass(frozen=True)
class ReleasePolicy:
    """Who may release a needs-release rule in an organisation. By default a release does not count for
    the person who gave it: the one who runs the check or the session needs a second clinician's word."""

    roles: frozenset[str]
    self_release: bool = False


def release_policy(organisation: Organisation) -> ReleasePolicy:
    raw = (organisation.settings or {}).get(RELEASES_KEY) or {}
    roles = frozenset(raw.get("roles") or RELEASE_ROLES) & frozenset(RELEASE_ROLES)
    return ReleasePolicy(
        roles=roles or frozenset(RELEASE_ROLES), self_release=bool(raw.get("self_release", False))
    )


def english_beside_unreviewed(organisation: Organisation | None) -> bool:
    """Whether a translated safety text (a stop or caution reason, what to do instead) that is not yet
    reviewed is shown with its English original. On unless the organisation switched it off: a
    mistranslated stop reason is a safety risk (docs/languages.md, "Clinical content")."""
    if organisation is None:
        return True
    raw = (organisation.settings or {}).get(TRANSLATIONS_KEY) or {}
    return bool(raw.get("english_beside_unreviewed", True))


def intake_for(*, client: Client) -> Intake | None:
    # Read once on the client page, whose safety and evidence sections both ask (clients.selectors).
    return shared_read(client, "intake", lambda: Intake.objects.of_client(client).first())


def readiness_check_list(*, client: Client) -> QuerySet[ReadinessCheck]:
    return ReadinessCheck.objects.of_client(client).select_related("checked_by")


# A baby's first programme at home: the IAIM way of starting gently, legs and feet first.
FIRST_PROTOCOL = {"infant": "iaim_first_week"}


def suggested_protocol(
    *, client: Client, population: str, newest: ReadinessCheck | Literal["unknown"] | None = "unknown"
) -> str | None:
    """The programme to offer next: the one last checked for, else the group's first programme. `newest`:
    the client's newest check of any group, when the caller has read it already (the client page): if it
    is of this group, or there is none, the newest check of the group needs no query of its own."""
    lib = library()
    if newest != "unknown" and (newest is None or newest.population == population):
        latest = newest.protocol_id if newest is not None else None
    else:
        latest = (
            ReadinessCheck.objects.of_client(client)
            .filter(population=population)
            .order_by("-created_at", "-id")
            .values_list("protocol_id", flat=True)
            .first()
        )
    if latest in lib.protocols:
        return latest
    first = FIRST_PROTOCOL.get(population)
    return first if first in lib.protocols else None


# A re-check within this many minutes starts from the last check's answers (shown for confirmation).
RECHECK_CARRY_MINUTES = 30


def recent_check(*, client: Client, population: str) -> ReadinessCheck | None:
    """The client's last check, if it was made in the last RECHECK_CARRY_MINUTES for this population."""
    since = timezone.now() - dt.timedelta(minutes=RECHECK_CARRY_MINUTES)
    return (
        ReadinessCheck.objects.of_client(client)
        .filter(population=population, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )


def readiness_check_get(*, client: Client, check_id: int) -> ReadinessCheck:
    try:
        return ReadinessCheck.objects.of_client(client).select_related("checked_by").get(pk=check_id)
    except (ReadinessCheck.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such readiness check for this client.")) from None


def release_get(*, client: Client, release_id: int) -> Release:
    try:
        return Release.objects.of_client(client).get(pk=release_id)
    except (Release.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such release for this client.")) from None


def releases_given(
    *, client: Client, protocol_id: str, on: dt.date, for_user_id: int | None, policy: ReleasePolicy
) -> dict[str, GivenRelease]:
    """Per rule, the release that counts for `for_user_id` running a check or session on `on` (the newest
    one still running and, unless the organisation allows it, not given by that same person); where none
    counts, the newest one with why not, so the page can say so."""
    out: dict[str, GivenRelease] = {}
    releases = (
        Release.objects.of_client(client)
        .filter(protocol_id=protocol_id, revoked_at__isnull=True)
        .select_related("released_by")
        .order_by("-created_at", "-id")
    )
    for release in releases:
        why_not = None
        if release.valid_until is not None and release.valid_until < on:
            why_not = _("it ended on %(date)s") % {"date": dateformat.format(release.valid_until, "j M Y")}
        elif not policy.self_release and for_user_id is not None and release.released_by_id == for_user_id:
            why_not = _("it was given by the person running this check, and a second clinician must release")
        current = out.get(release.rule_id)
        if current is not None and (current.not_counted is None or why_not is not None):
            continue  # a newer one already counts, or this one does not count either
        out[release.rule_id] = GivenRelease(
            rule_id=release.rule_id,
            finding=release.finding,
            given_on=timezone.localdate(release.created_at),
            given_by=str(release.released_by),
            not_counted=why_not,
        )
    return out


def record_hash(*, client: Client, intake: Intake | None, protocol_id: str, on: dt.date) -> str:
    """A fingerprint of everything in the record a check reads: a check whose hash no longer matches was
    made on a record that has since changed. The first half covers the findings (client facts, intake,
    settings, content), the second the releases, so a clinician can still release a second rule from a
    check after releasing the first (record_changed_since(..., findings_only=True))."""
    findings: dict[str, Any] = {
        "client": [
            client.birth_date.isoformat(),
            client.gestation_weeks,
            client.gestation_days,
            sorted(client.conditions or []),
        ],
        "intake": None if intake is None else [intake.pk, intake.version, intake.population, intake.answers],
        "settings": (client.organisation.settings or {}).get(SETTINGS_KEY, {}),
        "release_policy": (client.organisation.settings or {}).get(RELEASES_KEY, {}),
        "content": str(library().version),
    }
    releases = [
        [
            r.pk,
            r.rule_id,
            r.valid_until.isoformat() if r.valid_until else None,
            r.revoked_at is not None,
            r.valid_until is not None and r.valid_until < on,
        ]
        for r in Release.objects.of_client(client).filter(protocol_id=protocol_id).order_by("pk")
    ]
    return _digest(findings)[:32] + _digest(releases)[:32]


def _digest(state: Any) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Screened:
    verdict: Verdict
    record_hash: str
    clean_today: Mapping[str, Any]


def screen_record(
    *, client: Client, protocol_id: str, today: Mapping[str, Any], user_id: int | None, now: dt.datetime
) -> Screened:
    """Screen the client's current record (facts, intake, releases, settings) with today's answers.
    Raises NotFound-free domain errors from the pure screening (AnswerError, ScreeningInputError)."""
    from kneadwell.library.answers import clean_answers

    lib = library()
    intake = intake_for(client=client)
    on = timezone.localdate(now)
    population = intake.population if intake is not None else ""
    verdict = screen(
        library=lib,
        protocol_id=protocol_id,
        client=client_facts(client, population=population, on=on),
        intake=intake.answers if intake is not None else {},
        today=today,
        settings=screening_settings(client.organisation),
        now=now,
        released=releases_given(
            client=client,
            protocol_id=protocol_id,
            on=on,
            for_user_id=user_id,
            policy=release_policy(client.organisation),
        ),
    )
    return Screened(
        verdict=verdict,
        record_hash=record_hash(client=client, intake=intake, protocol_id=protocol_id, on=on),
        clean_today=clean_answers(lib, "today", today, now=now),
    )


def check_stale_reason(
    *,
    check: ReadinessCheck,
    client: Client,
    now: dt.datetime | None = None,
    max_age: dt.timedelta = dt.timedelta(minutes=CHECK_FRESH_MINUTES),
    same_day: bool = True,
) -> str | None:
    """Why this check can no longer start a session (or, with a longer `max_age` and `same_day` off, an
    enrolment), or None while it is fresh: another day's check, too old, or the record changed since."""
    now = now or timezone.now()
    made = timezone.localtime(check.created_at)
    if same_day and made.date() != timezone.localdate(now):
        return _("This check was made on %(date)s. Do today's check again.") % {
            "date": dateformat.format(made, "j M Y")
        }
    if now - check.created_at > max_age:
        if max_age >= dt.timedelta(hours=1):
            return _("This check is more than %(hours)s hours old. Do it again.") % {
                "hours": _("%(value)g") % {"value": max_age.total_seconds() / 3600}
            }
        minutes = max_age.total_seconds() / 60
        return _("This check is more than %(minutes)s minutes old. Do today's check again.") % {
            "minutes": f"{minutes:g}"
        }
    if record_changed_since(check=check, client=client):
        return _(ERR_RECORD_CHANGED)
    return None


# English sources (gettext_noop), translated where raised or shown.
ERR_RECORD_CHANGED = gettext_noop(
    "The record changed after this check (health history, conditions, releases or settings). "
    "Do today's check again so it reads the current record."
)


def record_changed_since(*, check: ReadinessCheck, client: Client, findings_only: bool = False) -> bool:
    """Whether the record changed after the check; with findings_only, releases given since are ignored."""
    made = timezone.localdate(check.created_at)
    current = record_hash(
        client=client, intake=intake_for(client=client), protocol_id=check.protocol_id, on=made
    )
    if findings_only:
        return check.record_hash[:32] != current[:32]
    return check.record_hash != current


ERR_BUNDLE_NO_INTAKE = gettext_noop(
    "Record the health history (intake) first: the safety rules read it, online or not."
)


def rules_bundle_for(
    *,
    client: Client,
    user_id: int,
    protocol_id: str | None = None,
    now: dt.datetime | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The rules bundle a device screens this client with offline (bundle.rules_bundle; docs/offline.md):
    the current record (facts, intake, the organisation's settings and release policy, every running
    release, marked when `user_id` gave it) and the content the rules are. `protocol_id` defaults to the
    programme today's check would offer. `language` (a translated content language, else English): the
    words the device shows, with the English original beside unreviewed safety texts when the
    organisation keeps that on; the rules, ids and numbers are the same in every language."""
    lib = library()
    if language is not None and language not in localise.languages():
        language = None
    words = (
        localise.library_in(language, with_original=english_beside_unreviewed(client.organisation))
        if language
        else lib
    )
    intake = intake_for(client=client)
    if intake is None:
        raise ValidationFailed({"intake": [_(ERR_BUNDLE_NO_INTAKE)]})
    if protocol_id is None:
        protocol_id = suggested_protocol(client=client, population=intake.population) or next(
            (p.id for p in lib.protocols.values() if intake.population in p.populations), ""
        )
    if protocol_id not in lib.protocols:
        raise ValidationFailed(
            {"protocol": [_("Unknown protocol '%(protocol_id)s'.") % {"protocol_id": protocol_id}]}
        )
    releases = [
        BundleRelease(
            rule_id=r.rule_id,
            protocol_id=r.protocol_id,
            finding=r.finding,
            given_on=timezone.localdate(r.created_at),
            given_by=str(r.released_by),
            valid_until=r.valid_until,
            by_you=r.released_by_id == user_id,
        )
        for r in Release.objects.of_client(client)
        .filter(revoked_at__isnull=True)
        .select_related("released_by")
        .order_by("-created_at", "-id")
    ]
    return rules_bundle(
        library=words,
        client=BundleClient(
            id=client.pk,
            population=intake.population,
            birth_date=client.birth_date,
            gestation_weeks=client.gestation_weeks,
            gestation_days=client.gestation_days,
            conditions=client.conditions or (),
        ),
        intake_answers=intake.answers,
        intake_version=intake.version,
        settings=screening_settings(client.organisation),
        releases=releases,
        self_release=release_policy(client.organisation).self_release,
        protocol_id=protocol_id,
        issued_at=now or timezone.now(),
        time_zone=str(django_settings.TIME_ZONE),
        language=language or ENGLISH,
        words_version=localise.catalogue(language).version if language else None,
        phrases=_phrases(language),
    )


def _phrases(language: str | None) -> dict[str, str] | None:
    if not language:
        return None
    info = localise.catalogue(language).info
    with translation.override(language):  # the interface catalogue's words, as the server's pages say them
        engine = engine_phrases(translation.gettext)
    return {"seen": info.seen, "state": info.state, "crying": info.crying, **engine}
