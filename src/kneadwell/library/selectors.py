"""Reads for the library area: the loaded content, an organisation's screening settings, a client's
intake, readiness checks and releases. Client-bound reads take a client already loaded through
`clients.selectors.client_get`, which checked access and audited the read."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.core.errors import NotFound
from kneadwell.library.catalog import Library
from kneadwell.library.loader import default_library
from kneadwell.library.models import Intake, ReadinessCheck, Release
from kneadwell.library.org_settings import ScreeningSettings

SETTINGS_KEY = "screening"


def library() -> Library:
    return default_library()


def screening_settings(organisation: Organisation) -> ScreeningSettings:
    overrides = (organisation.settings or {}).get(SETTINGS_KEY, {})
    return ScreeningSettings.for_library(library(), overrides)


def intake_for(*, client: Client) -> Intake | None:
    return Intake.objects.filter(client=client).first()


def releases_active(*, client: Client, protocol_id: str, on: dt.date) -> QuerySet[Release]:
    return (
        Release.objects.filter(client=client, protocol_id=protocol_id, revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("released_by")
    )


def readiness_check_list(*, client: Client) -> QuerySet[ReadinessCheck]:
    return ReadinessCheck.objects.filter(client=client).select_related("checked_by")


def readiness_check_get(*, client: Client, check_id: int) -> ReadinessCheck:
    try:
        return ReadinessCheck.objects.select_related("checked_by").get(client=client, pk=check_id)
    except (ReadinessCheck.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such readiness check for this client.") from None


def release_get(*, client: Client, release_id: int) -> Release:
    try:
        return Release.objects.get(client=client, pk=release_id)
    except (Release.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such release for this client.") from None
