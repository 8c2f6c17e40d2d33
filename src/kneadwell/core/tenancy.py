"""Tenancy enforced by the data layer: every model that holds an organisation's or a client's data is read
through one scoped entry point, and a row can never be saved under another organisation than its parents.

Each such model declares, with its manager, where its organisation is and which parents must share it:

    class Plan(VersionedModel):
        organisation = models.ForeignKey(Organisation, ...)
        client = models.ForeignKey(Client, ...)
        objects = TenantManager(parents=("client", "enrolment_check"))

    class StepLog(models.Model):                 # no organisation column: it is its session's
        session = models.ForeignKey(Session, ...)
        objects = TenantManager(through="session")

Reads: `Plan.objects.for_organisation(org_id)` keeps the rows of one organisation (following `through` to
the parent's column for tables without their own); `Plan.objects.of_client(client)` keeps one client's
rows in the organisation *in force*. Inside a request that is the actor's organisation, activated at the
boundary (`page()` for pages, `needs()` for API operations) with `organisation_scope(...)`, so a client
object of another organisation handed to a selector by mistake finds nothing. Outside any scope (the
command line, scripts, tests that call a selector directly) it is the object's own organisation.

Writes: before every save of a declared model (a `pre_save` receiver), and for every object given to
`bulk_create` or touched by a queryset `update` of a parent or organisation column, each parent named in
`parents` must be in the row's organisation; otherwise `TenancyMismatch` (a NotFound: to the person
asking, another organisation's record does not exist). `rows_with_mismatch()` runs the same rule as one
query per table, for paths that write with SQL (restoring a backup, the benchmark seeder).

Why not django-scopes: it makes every query outside an activated scope an error, which would mean wrapping
the command line, the seeder, migrations' data steps and every test; the one thing it adds over this
module (a scope that must be active) is what `organisation_scope` gives the request boundary here. The
rules stay in this one file, with a test (tests/core/test_tenancy.py) that fails for a model holding
organisation data without a declaration."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from django.db import models, transaction
from django.db.models.signals import pre_save

from kneadwell.core.errors import NotFound

M = TypeVar("M", bound=models.Model)

ORGANISATION = "organisation"


class TenancyMismatch(NotFound):
    """A row whose organisation differs from one of its parents'. `detail` names the ids, for the logs;
    the message names no organisation."""

    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})"


@dataclass(frozen=True)
class Tenancy:
    """How one model belongs to an organisation (see the module docstring)."""

    model: type[models.Model]
    through: str | None  # the parent whose organisation this row has, when it has no column of its own
    parents: tuple[str, ...]  # parents that must be in the row's own organisation

    @property
    def has_column(self) -> bool:
        return self.through is None

    @property
    def path(self) -> str:
        """The lookup from this model to its organisation's id ("organisation", "session__organisation")."""
        if self.through is None:
            return ORGANISATION
        return f"{self.through}__{tenancy_of(self._parent_model(self.through)).path}"

    @property
    def client_path(self) -> str | None:
        """The lookup from this model to its client, for models that belong to one."""
        names = {f.name for f in self.model._meta.get_fields()}
        if "client" in names and isinstance(self.model._meta.get_field("client"), models.ForeignKey):
            return "client"
        if self.through is not None:
            parent = tenancy_of(self._parent_model(self.through)).client_path
            return None if parent is None else f"{self.through}__{parent}"
        return None

    def _parent_model(self, name: str) -> type[models.Model]:
        related = self.model._meta.get_field(name).related_model
        assert isinstance(related, type)
        return related


REGISTRY: dict[type[models.Model], Tenancy] = {}


def tenancy_of(model: type[models.Model]) -> Tenancy:
    try:
        return REGISTRY[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} declares no tenancy (give it `objects = TenantManager(...)`)."
        ) from None


# --- the organisation in force ------------------------------------------------------------------------
_active: ContextVar[int | None] = ContextVar("kneadwell_organisation", default=None)
_memo: ContextVar[dict[object, object] | None] = ContextVar("kneadwell_scope_memo", default=None)


@contextmanager
def organisation_scope(organisation_id: int) -> Iterator[None]:
    """Reads inside see only this organisation's rows through `of_client` and `within` (the request
    boundary activates the actor's organisation)."""
    token = _active.set(organisation_id)
    memo = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(memo)
        _active.reset(token)


def active_organisation() -> int | None:
    return _active.get()


def scope_memo() -> dict[object, object] | None:
    """A dict that lives as long as the organisation scope in force (one request), for a read that many
    parts of one page repeat (the organisation's own outcome measures); None outside a scope. A service
    that changes what is kept here drops its key."""
    return _memo.get()


def organisation_of(obj: models.Model) -> int | None:
    """The organisation a row belongs to, from its column or its parent (loaded or, if not, asked for)."""
    tenancy = tenancy_of(type(obj))
    if tenancy.has_column:
        own: int | None = getattr(obj, f"{ORGANISATION}_id")
        return own
    assert tenancy.through is not None
    return _parent_organisation(obj, tenancy.through)


def organisation_in_force(obj: models.Model) -> int | None:
    """The actor's organisation inside a request; the object's own outside one."""
    active = _active.get()
    return active if active is not None else organisation_of(obj)


def _parent_organisation(obj: models.Model, name: str) -> int | None:
    field = obj._meta.get_field(name)
    assert isinstance(field, models.ForeignKey)  # OneToOneField is one too
    parent_id = getattr(obj, field.attname)
    if parent_id is None:
        return None
    if field.is_cached(obj):
        parent = field.get_cached_value(obj)
        if parent is not None:
            return organisation_of(parent)
    parent_model = field.related_model
    assert isinstance(parent_model, type)
    found: int | None = (
        parent_model._base_manager.using(obj._state.db)
        .filter(pk=parent_id)
        .values_list(tenancy_of(parent_model).path, flat=True)
        .first()
    )
    return found


# --- the check on writes --------------------------------------------------------------------------------
def check_parents(obj: models.Model) -> None:
    """Raise TenancyMismatch when a parent of `obj` is in another organisation than `obj`."""
    tenancy = tenancy_of(type(obj))
    if not tenancy.has_column or not tenancy.parents:
        return
    own = getattr(obj, f"{ORGANISATION}_id")
    if own is None:
        return  # the database refuses the missing organisation itself
    for name in tenancy.parents:
        parent_org = _parent_organisation(obj, name)
        if parent_org is not None and parent_org != own:
            label = obj._meta.verbose_name
            parent_label = getattr(obj._meta.get_field(name), "verbose_name", name)
            raise TenancyMismatch(
                f"This {label}'s {parent_label} is not in the {label}'s organisation.",
                detail=f"{obj._meta.label} {obj.pk}: organisation {own}, {name} "
                f"{getattr(obj, f'{name}_id')} in organisation {parent_org}",
            )


def _before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    # `raw`: loaddata writes fixtures exactly as given; restore checks whole tables afterwards instead.
    if not raw:
        check_parents(instance)


def rows_with_mismatch(model: type[M]) -> models.QuerySet[M]:
    """Rows of `model` in another organisation than one of their parents: the save check as one query."""
    tenancy = tenancy_of(model)
    wrong = models.Q(pk__in=[])
    if tenancy.has_column:
        for name in tenancy.parents:
            parent_path = tenancy_of(tenancy._parent_model(name)).path
            wrong |= models.Q(**{f"{name}__isnull": False}) & ~models.Q(
                **{ORGANISATION: models.F(f"{name}__{parent_path}")}
            )
    return model._base_manager.filter(wrong)


def check_all_tables(using: str | None = None) -> None:
    """Raise TenancyMismatch for the first table holding a row in another organisation than its parent
    (after writes that bypass `save`: a restored backup, the seeded benchmark clinic)."""
    for model in REGISTRY:
        qs = rows_with_mismatch(model)
        if using is not None:
            qs = qs.using(using)
        bad = qs.values_list("pk", flat=True).first()
        if bad is not None:
            raise TenancyMismatch(
                f"A {model._meta.verbose_name} is not in the organisation of its parent records.",
                detail=f"{model._meta.label} {bad}",
            )


# --- the entry point ---------------------------------------------------------------------------------
@models.ForeignKey.register_lookup
class UnindexedExact(models.Lookup):
    """`organisation_id + 0 = %s`: equality written so that no index serves it (see `checked_in`). A
    lookup rather than an alias of `F(path) + Value(0)`, which Django resolved and hashed again on every
    query: the alias made a client's session list a third dearer to build (0.40 → 0.60 ms measured), and
    nearly every read of a client's record goes through here."""

    lookup_name = "unindexed_exact"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} + 0) = {rhs}", [*lhs_params, *rhs_params]


class TenantQuerySet(models.QuerySet[M], Generic[M]):
    def for_organisation(self, organisation_id: int | None) -> Self:
        """This organisation's rows only (its index may lead: for lists of a whole organisation)."""
        return self.filter(**{tenancy_of(self.model).path: organisation_id})

    def checked_in(self, organisation_id: int | None) -> Self:
        """This organisation's rows only, for a query another filter (a client, a plan, ids) makes
        selective: the condition is written `organisation_id + 0 = %s`, which no index serves, so the
        database keeps leading with that filter's index. Measured on the seeded clinic (SQLite, no planner
        statistics): with a plain `organisation_id = %s` SQLite led with the organisation's index and
        read every session of the organisation for one client's list (about 10 ms instead of 0.01)."""
        path = tenancy_of(self.model).path
        if organisation_id is None:
            return self.filter(**{f"{path}__isnull": True})
        return self.filter(**{f"{path}__{UnindexedExact.lookup_name}": organisation_id})

    def within(self, obj: models.Model) -> Self:
        """Rows in the organisation in force for `obj` (the actor's inside a request)."""
        return self.checked_in(organisation_in_force(obj))

    def of_client(self, client: models.Model) -> Self:
        """One client's rows, in the organisation in force: a client object of another organisation than
        the actor's finds nothing."""
        path = tenancy_of(self.model).client_path
        if path is None:
            raise LookupError(f"{self.model._meta.label} does not belong to a client.")
        return self.within(client).filter(**{path: client})

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        objs = list(objs)
        for obj in objs:
            check_parents(obj)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        tenancy = tenancy_of(self.model)
        moved = {ORGANISATION, f"{ORGANISATION}_id", *tenancy.parents, *(f"{p}_id" for p in tenancy.parents)}
        if not moved & kwargs.keys() or not tenancy.has_column:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            bad = rows_with_mismatch(self.model).using(self.db).filter(pk__in=ids)
            first = bad.values_list("pk", flat=True).first()
            if first is not None:
                raise TenancyMismatch(
                    f"This change would put a {self.model._meta.verbose_name} in another organisation "
                    "than its parent records.",
                    detail=f"{self.model._meta.label} {first}",
                )
        return count


_Manager = models.Manager.from_queryset(TenantQuerySet)


class TenantManager(_Manager):
    """The manager of a model holding organisation data; declares its tenancy (module docstring)."""

    def __init__(self, *, through: str | None = None, parents: Sequence[str] = ()) -> None:
        super().__init__()
        self._through = through
        self._parents = tuple(parents)

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        super().contribute_to_class(cls, name)
        # Related managers (client.plans) are subclasses made without arguments and never contribute:
        # only a declaring manager registers the model.
        if cls._meta.abstract or not hasattr(self, "_through"):
            return
        REGISTRY[cls] = Tenancy(model=cls, through=self._through, parents=self._parents)
        pre_save.connect(_before_save, sender=cls, weak=False, dispatch_uid=f"tenancy:{cls._meta.label}")
