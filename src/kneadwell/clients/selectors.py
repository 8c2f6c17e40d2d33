"""Tenant-scoped reads of client data, used by pages and API alike. Another organisation's client, or a
client a caregiver is not a guardian of, is simply not found (404), so its existence is not revealed.
Reads of a client's record are written to the audit log here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm, Role
from kneadwell.audit.access import access_note
from kneadwell.audit.services import Action
from kneadwell.clients import rules
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.core.errors import NotFound


def client_queryset(*, actor: Actor, include_archived: bool = False) -> QuerySet[Client]:
    actor.require(Perm.CLIENT_VIEW)
    clients = Client.objects.for_organisation(actor.organisation_id)
    if actor.is_caregiver:
        clients = clients.filter(guardians__user=actor.user)
    elif actor.role is Role.INSTRUCTOR:
        # An instructor reaches only the babies on their own courses whose family shares their record with
        # them (issue 12, docs/courses.md): one enrolment (a place, not the waiting list) meets all three.
        shared = Client.objects.filter(
            course_enrolments__course__instructor=actor.user,
            course_enrolments__share_with_instructor=True,
            course_enrolments__status="enrolled",
        ).values("pk")
        clients = clients.filter(pk__in=shared)
    if not include_archived:
        clients = clients.filter(archived_at__isnull=True)
    return clients


def client_search(*, actor: Actor, query: str = "", include_archived: bool = False) -> QuerySet[Client]:
    """Clients matching every word of `query` in a name or the clinic number. Audited as one list read."""
    clients = client_queryset(actor=actor, include_archived=include_archived)
    # Typed search text may hold anything; control characters (PostgreSQL refuses NUL) never match a name.
    query = "".join(ch for ch in query if ch.isprintable())[:100]
    for word in query.split():
        clients = clients.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(identifier__iexact=word)
        )
    access_note(
        actor=actor,
        action=Action.LIST,
        entity="client",
        entity_id="",
        client_id=None,
        purpose=f"searched clients: {query!r}"[:500],
    )
    return clients


T = TypeVar("T")
_SHARED_READS = "_shared_reads"


def client_reads_shared(client: Client) -> Client:
    """For a read-only page made of several areas' parts about one client (the client page): a read that
    two parts make (the intake: the safety section and the evidence section) is made once for this
    loaded client. The reads are kept on this instance, which the request loaded through `client_get`:
    never across requests, and never on a page that writes (it would read its own stale copy)."""
    client.__dict__[_SHARED_READS] = {}
    return client


def shared_read(client: Client, key: str, read: Callable[[], T]) -> T:
    """`read()`, or, on a client marked by `client_reads_shared`, what it gave the first time."""
    reads: dict[str, Any] | None = client.__dict__.get(_SHARED_READS)
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    found: T = reads[key]
    return found


def client_get(*, actor: Actor, client_id: int, purpose: str = "viewed the record") -> Client:
    try:
        client = client_queryset(actor=actor, include_archived=True).get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such client.")) from None
    access_note(actor=actor, entity="client", entity_id=client.pk, client_id=client.pk, purpose=purpose)
    return client


# Reads below take a client already loaded through `client_get` (which checked access and noted the read)
# and still go through the scoped entry point: inside a request, a client of another organisation than the
# actor's finds nothing (kneadwell.core.tenancy).
def guardian_list(*, client: Client) -> QuerySet[Guardian]:
    return Guardian.objects.of_client(client).select_related("user")


def consent_list(*, client: Client) -> QuerySet[Consent]:
    return Consent.objects.of_client(client).select_related("guardian", "recorded_by", "withdrawn_by")


# The client page shows these columns of its consents and guardians (not who recorded or withdrew a consent,
# nor a guardian's account): without the joins and the unshown columns its two reads cost less than half.
PAGE_CONSENT_COLUMNS = (
    "id",
    "kind",
    "scopes",
    "signed_by_name",
    "signed_on",
    "method",
    "withdrawn_at",
    "withdrawal_reason",
)
PAGE_GUARDIAN_COLUMNS = ("id", "name", "relationship", "email", "user_id")


def consent_list_shown(*, client: Client) -> QuerySet[Consent]:
    """`consent_list`'s rows with the client page's columns only (PAGE_CONSENT_COLUMNS)."""
    return Consent.objects.of_client(client).only(*PAGE_CONSENT_COLUMNS)


def guardian_list_shown(*, client: Client) -> QuerySet[Guardian]:
    """`guardian_list`'s rows with the client page's columns only (PAGE_GUARDIAN_COLUMNS)."""
    return Guardian.objects.of_client(client).only(*PAGE_GUARDIAN_COLUMNS)


def consent_facts_of(*, clients: Sequence[Client]) -> dict[int, list[rules.ConsentFacts]]:
    """The consent facts of many loaded clients (from `client_search`), by client id, in one query of the
    columns the facts read: the API's client list, where prefetching every client's consents cost more
    than the list itself."""
    found: dict[int, list[rules.ConsentFacts]] = {c.pk: [] for c in clients}
    if not clients:
        return found
    rows = (
        Consent.objects.within(clients[0])
        .filter(client_id__in=list(found))
        .only("id", "client_id", "kind", "scopes", "signed_on", "withdrawn_at")
    )
    for consent in rows:
        found[consent.client_id].append(consent.facts())
    return found


def consent_status(*, client: Client, scope: rules.Scope = rules.Scope.CARE) -> bool:
    today = timezone.localdate()
    return rules.has_active_consent(
        (c.facts() for c in Consent.objects.of_client(client)),
        scope=scope,
        birth_date=client.birth_date,
        today=today,
    )


def consent_get(*, client: Client, consent_id: int) -> Consent:
    try:
        return Consent.objects.of_client(client).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such consent record for this client.")) from None


def guardian_get(*, client: Client, guardian_id: int) -> Guardian:
    try:
        return Guardian.objects.of_client(client).get(pk=guardian_id)
    except (Guardian.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such guardian for this client.")) from None
