from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.clients.selectors import client_get
from kneadwell.content.sources import source_registry
from kneadwell.core.errors import Conflict, ConsentRequired, DomainError, PermissionDenied, ValidationFailed
from kneadwell.core.forms import DateInput
from kneadwell.core.hooks import after_check, check_result_sections, protocol_sections
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.library import localise, selectors, services
from kneadwell.library.bodymap import render_body_map
from kneadwell.library.catalog import Library
from kneadwell.library.display import display_language, display_library, display_verdict, translation_status
from kneadwell.library.forms import QuestionForm
from kneadwell.library.population import suggest_population
from kneadwell.library.selectors import english_beside_unreviewed


def _svg(markup: str) -> Any:
    return mark_safe(markup)  # noqa: S308 - built by our own renderer from content ids and labels


# --- browsing -------------------------------------------------------------------------------------------
@page(Perm.LIBRARY_VIEW)
def index(request: ActorRequest) -> HttpResponse:
    lib = display_library(request.actor.organisation)
    query = request.GET.get("q", "").strip().lower()[:100]

    def hit(*texts: str | None) -> bool:
        return not query or any(query in (t or "").lower() for t in texts)

    protocols = [p for p in lib.protocols.values() if hit(p.name, p.summary_parent, p.summary_clinician)]
    techniques = [
        t for t in lib.techniques.values() if hit(t.name, t.description_parent, t.description_clinician)
    ]
    by_population = [
        (pop, [p for p in protocols if p.population == pop.id]) for pop in lib.populations.values()
    ]
    return render(
        request,
        "library/index.html",
        {
            "lib": lib,
            "query": query,
            "by_population": [(pop, ps) for pop, ps in by_population if ps],
            "techniques": sorted(techniques, key=lambda t: t.name.lower()),
        },
    )


@page(Perm.LIBRARY_VIEW)
def technique(request: ActorRequest, technique_id: str) -> HttpResponse:
    lib = display_library(request.actor.organisation)
    item = lib.techniques.get(technique_id)
    if item is None:
        raise Http404(_("No such technique."))
    used_in = [r for r in lib.routines.values() if any(s.technique == item.id for s in r.steps)]
    return render(
        request,
        "library/technique.html",
        {
            "lib": lib,
            "t": item,
            "used_in": used_in,
            "populations": [lib.populations[p].label for p in item.suits.populations if p in lib.populations],
            "body_map": _svg(
                render_body_map(
                    lib,
                    highlighted=item.regions,
                    title=_("Where %(technique)s is used") % {"technique": item.name},
                )
            ),
        },
    )


@page(Perm.LIBRARY_VIEW)
def protocol(request: ActorRequest, protocol_id: str) -> HttpResponse:
    lib = display_library(request.actor.organisation)
    item = lib.protocols.get(protocol_id)
    if item is None:
        raise Http404(_("No such protocol."))
    body, body_end = protocol_body(
        lib, item, with_original=english_beside_unreviewed(request.actor.organisation)
    )
    return render(
        request,
        "library/protocol.html",
        # The other areas' sections (the evidence for this person's role) are rendered on every request.
        {"p": item, "body": body, "body_end": body_end, "sections": protocol_sections(request, item)},
    )


# The protocol page's own content is the same for everyone who reads it in one language: rendering it was
# most of the page's time (every routine step, rule and source link through the template engine), so it
# is rendered once and kept in Django's cache (each worker's memory by default). It holds content only,
# nothing of a client or of the person asking. What it depends on is all in the key: the protocol, the
# language in force (the template's words and the content's translation), the content version (every
# content file, sources included), the translations' version, whether unreviewed safety texts carry their
# English original (the organisation's setting) and the templates and message catalogues this process
# renders with (so a shared cache never serves a body from other code).
PROTOCOL_BODY_SECONDS = 24 * 60 * 60


def protocol_body_key(protocol_id: str, lib_version: str, *, with_original: bool) -> str:
    language = translation.get_language() or django_settings.LANGUAGE_CODE
    shown_in = display_language()
    words = localise.catalogue(shown_in).sha256[:16] if shown_in else "en"
    # An English page has no translated safety text to put an original beside: one body for both settings.
    original = "with-original" if with_original and shown_in else "plain"
    parts = ("protocol-body", protocol_id, language, lib_version, words, original, _rendering_fingerprint())
    return "library:" + ":".join(parts)


@functools.cache
def _rendering_fingerprint() -> str:
    """The templates and message catalogues the body is rendered with, as this process has them."""
    package = Path(__file__).resolve().parent.parent
    files = [
        *sorted((package / "templates" / "library").glob("protocol_body*.html")),
        package / "templates" / "library" / "_action_badge.html",
        *sorted((package / "locale").glob("*/LC_MESSAGES/django.mo")),
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def protocol_body(lib: Library, item: Any, *, with_original: bool) -> tuple[SafeString, SafeString]:
    """The protocol's content before and after the other areas' sections, from the cache or rendered.
    `lib`: the library in the page's language (display_library), `with_original` its setting."""
    version = lib.version
    key = protocol_body_key(item.id, f"{version.label}+{version.sha256}", with_original=with_original)
    found = cache.get(key)
    if found is None:
        routines = [lib.routines[r] for r in item.routines]
        regions = sorted({reg for r in routines for s in r.steps for reg in s.regions})
        context = {
            "p": item,
            "routines": routines,
            "population": lib.populations[item.population],
            "rules": lib.rules_for(item.id, item.population),
            "checks": [lib.session_checks[c] for c in item.session_checks if c in lib.session_checks],
            "timings": [([lib.measures[m] for m in t.measures], t) for t in item.measurement_timing],
            "body_map": _svg(
                render_body_map(lib, highlighted=regions, title=_("Areas in %(name)s") % {"name": item.name})
            ),
        }
        found = (
            render_to_string("library/protocol_body.html", context),
            render_to_string("library/protocol_body_end.html", context),
        )
        cache.set(key, found, PROTOCOL_BODY_SECONDS)
    return mark_safe(found[0]), mark_safe(found[1])  # noqa: S308 - our own templates' output


@page(Perm.LIBRARY_VIEW)
def rules(request: ActorRequest) -> HttpResponse:
    lib = selectors.library()
    settings = selectors.screening_settings(request.actor.organisation)
    categories = ["eligibility", "contraindication", "precaution", "readiness"]
    grouped = [(c, [r for r in lib.rules.values() if r.category == c]) for c in categories]
    return render(
        request,
        "library/rules.html",
        {
            "lib": lib,
            "grouped": grouped,
            "checks": list(lib.session_checks.values()),
            "settings": [settings.use(s) for s in lib.settings],
        },
    )


@page(Perm.LIBRARY_VIEW)
def sources(request: ActorRequest) -> HttpResponse:
    lib = selectors.library()
    return render(request, "library/sources.html", {"lib": lib, "sources": list(source_registry().values())})


# --- organisation settings -------------------------------------------------------------------------------
@page(Perm.SETTINGS_MANAGE)
def settings_edit(request: ActorRequest) -> HttpResponse:
    lib = selectors.library()
    current = selectors.screening_settings(request.actor.organisation)
    form = forms.Form(request.POST or None)
    for sid, definition in lib.settings.items():
        form.fields[sid] = forms.FloatField(
            # the setting's name and unit are the content's words (helper C's data); the sentence is ours
            label=f"{definition.label} ({definition.unit.replace('_', ' ')})",
            min_value=definition.min,
            max_value=definition.max,
            initial=current.value(sid),
            help_text=_("Default %(default)s (the most cautious value); allowed %(min)s–%(max)s.")
            % {
                "default": f"{definition.default:g}",
                "min": f"{definition.min:g}",
                "max": f"{definition.max:g}",
            }
            + (" " + _("Sources disagree.") if definition.sources_disagree else ""),
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_settings_save(actor=request.actor, overrides=form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Settings saved. They apply to every check from now on."))
            return redirect("library:settings")
    rows = [(form[sid], lib.settings[sid], current.use(sid)) for sid in lib.settings]
    return render(request, "library/settings.html", {"form": form, "rows": rows})


class ReleasePolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who may release a rule that needs a clinician's release"),
        choices=[
            ("admin", gettext_lazy("Administrators")),
            ("therapist", gettext_lazy("Therapists and nurses")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    self_release = forms.BooleanField(
        label=gettext_lazy("A release also counts for the person who gave it"),
        required=False,
        help_text=gettext_lazy(
            "Off by default: whoever runs the check or the session needs a second clinician's release. "
            "Switch on only where one clinician works alone."
        ),
    )


@page(Perm.SETTINGS_MANAGE)
def release_settings(request: ActorRequest) -> HttpResponse:
    policy = selectors.release_policy(request.actor.organisation)
    form = ReleasePolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"roles": sorted(policy.roles), "self_release": policy.self_release},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.release_policy_save(
                actor=request.actor,
                roles=form.cleaned_data["roles"],
                self_release=form.cleaned_data["self_release"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Release settings saved. They apply to every check from now on."))
            return redirect("library:release_settings")
    return render(request, "library/release_settings.html", {"form": form})


class LanguagePolicyForm(forms.Form):
    english_beside_unreviewed = forms.BooleanField(
        label=gettext_lazy(
            "Show the English original beside a translated safety text that is not yet reviewed"
        ),
        required=False,
        help_text=gettext_lazy(
            "On by default: a stop or caution reason, what to do instead, and an evidence claim's caveats "
            "are shown in the page's language with the English the team wrote, until a clinician and a "
            "native speaker have reviewed the translation. Switch off only if your organisation has checked "
            "the translation itself."
        ),
    )


@page(Perm.SETTINGS_MANAGE)
def language_settings(request: ActorRequest) -> HttpResponse:
    """The clinical content's translations: each language's files and their review, and whether an
    unreviewed safety text is shown with its English original."""
    organisation = request.actor.organisation
    form = LanguagePolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"english_beside_unreviewed": selectors.english_beside_unreviewed(organisation)},
    )
    if request.method == "POST" and form.is_valid():
        services.translation_policy_save(
            actor=request.actor, english_beside_unreviewed=form.cleaned_data["english_beside_unreviewed"]
        )
        messages.success(request, _("Saved. It applies to every page from now on."))
        return redirect("library:language_settings")
    context = {"form": form, "languages": translation_status()}
    return render(request, "library/language_settings.html", context)


# --- intake ------------------------------------------------------------------------------------------------
@page(Perm.CLIENT_VIEW)
def intake(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="opened the intake")
    lib = display_library(actor.organisation)  # for the form's words: intake_save reads its own
    existing = selectors.intake_for(client=client)
    today = timezone.localdate()
    suggested = suggest_population(
        birth_date=client.birth_date,
        on=today,
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        conditions=client.conditions,
    )
    fitting = services.fitting_populations(client)
    population = (
        request.POST.get("population")
        or request.GET.get("population")
        or (existing.population if existing and existing.population in fitting else suggested)
    )
    if population not in lib.populations:
        population = suggested
    stored = existing.answers if existing and existing.population == population else {}
    form = _question_form(request, lib, client, population, "intake", stored=stored)
    if request.method == "POST":
        actor.require(Perm.CLIENT_EDIT)
        if form.is_valid():
            try:
                services.intake_save(
                    actor=actor,
                    client=client,
                    population=population,
                    answers=form.answers(),
                    expected_version=int(request.POST.get("version") or 0) or None,
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            except (Conflict, ConsentRequired) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Health history saved.") if actor.is_caregiver else _("Intake saved.")
                )
                next_protocol = selectors.suggested_protocol(client=client, population=population)
                if actor.is_caregiver and next_protocol and actor.can(Perm.SESSION_RECORD):
                    # A parent's next step is today's check for their baby's programme, not a detour.
                    return redirect(f"{_check_url(client.pk)}?protocol={next_protocol}")
                return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "library/intake.html",
        {
            "client": client,
            "form": form,
            "population": lib.populations[population],
            "suggested": suggested,
            "populations": [p for p in lib.populations.values() if p.id in fitting],
            "stale_group": _group_gone(lib, existing, fitting),
            "existing": existing,
            "can_edit": actor.can(Perm.CLIENT_EDIT),
            "parent_register": actor.is_caregiver,
        },
    )


def _question_form(
    request: ActorRequest,
    lib: Any,
    client: Any,
    population: str,
    scope: str,
    *,
    stored: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> QuestionForm:
    """The questions this client is asked: a condition's questions only with that condition, a newborn's
    only while young enough, and the set's checklist as one list."""
    question_set = lib.question_set(population, scope)
    settings = selectors.screening_settings(client.organisation)
    return QuestionForm(
        request.POST or None,
        library=lib,
        questions=lib.questions_asked(
            population,
            scope,
            conditions=client.conditions or (),
            age_days=(timezone.localdate() - client.birth_date).days,
        ),
        stored=stored,
        context=context,
        checklist=question_set.checklist,
        checklist_label=question_set.checklist_label or "",
        subject=client.given_name,
        setting_values={sid: settings.value(sid) for sid in lib.settings},
    )


def _group_gone(lib: Any, existing: Any, fitting: set[str]) -> str | None:
    """The label of the saved intake's group when the record no longer fits it (a baby grown older)."""
    if existing is None or existing.population in fitting or existing.population not in lib.populations:
        return None
    return str(lib.populations[existing.population].label)


# --- today's check --------------------------------------------------------------------------------------
@page(Perm.SESSION_RECORD)
def check(request: ActorRequest, client_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="opened today's check")
    lib = display_library(actor.organisation)  # for the form's words: the check service screens in English
    existing = selectors.intake_for(client=client)
    protocol_id = request.POST.get("protocol") or request.GET.get("protocol") or ""
    context: dict[str, Any] = {"client": client, "intake": existing}
    if existing is None:
        return render(request, "library/check_needs_intake.html", context)
    choices = [p for p in lib.protocols.values() if existing.population in p.populations]
    others = [p for p in lib.protocols.values() if existing.population not in p.populations]
    if protocol_id not in lib.protocols:
        return render(request, "library/check_choose.html", {**context, "choices": choices, "others": others})
    earlier = selectors.recent_check(client=client, population=existing.population)
    carried = (
        {
            qid: value
            for qid, value in earlier.answers.items()
            if qid in lib.questions and lib.questions[qid].carry_forward
        }
        if earlier is not None
        else {}
    )
    form = _question_form(
        request, lib, client, existing.population, "today", stored=carried, context=existing.answers
    )
    # Said only when something was filled in (an all-clear check leaves only "no" ticks, asked afresh).
    filled = any(value not in (None, [], False) for value in carried.values())
    context["carried_from"] = earlier if filled else None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.readiness_check_run(
                actor=actor, client=client, protocol_id=protocol_id, answers=form.answers()
            )
        except ConsentRequired as exc:
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if request.POST.get("then") == "start":
                started = after_check(request, result)
                if started is not None:
                    return started
            return redirect("library:check_result", client_id=client.pk, check_id=result.pk)
    return render(
        request,
        "library/check_form.html",
        {
            **context,
            "form": form,
            "protocol": lib.protocols[protocol_id],
            "then_start": actor.is_caregiver,
        },
    )


@page(Perm.CLIENT_VIEW)
def check_result(request: ActorRequest, client_id: int, check_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="viewed a readiness check")
    result = selectors.readiness_check_get(client=client, check_id=check_id)
    lib = display_library(actor.organisation)
    verdict = _displayable(display_verdict(result.verdict, actor.organisation))
    avoided = [r for r in verdict.get("avoided_regions", []) if r in lib.regions]
    return render(
        request,
        "library/check_result.html",
        {
            "client": client,
            "check": result,
            "verdict": verdict,
            "protocol": lib.protocols.get(result.protocol_id),
            "parent_register": actor.is_caregiver,
            "can_release": _may_release(actor, result),
            "second_clinician": actor.can(Perm.RELEASE_GIVE) and not _may_release(actor, result),
            "body_map": _svg(render_body_map(lib, avoided=avoided, title=_("Areas to leave out today")))
            if avoided
            else None,
            "release_form": ReleaseForm(),
            "sections": check_result_sections(request, result),
        },
    )


def _may_release(actor: Any, check: Any) -> bool:
    """The release form shows only to a role the organisation lets release, and (by default) not to the
    person who ran the check."""
    policy = selectors.release_policy(actor.organisation)
    return bool(
        actor.can(Perm.RELEASE_GIVE)
        and actor.role.value in policy.roles
        and (policy.self_release or check.checked_by_id != actor.user.pk)
    )


def _displayable(verdict: dict[str, Any]) -> dict[str, Any]:
    """The stored verdict with its times as datetimes again, for the template's date filter."""
    shown = dict(verdict)
    shown["reasons"] = [
        {**r, "retry_after": dt.datetime.fromisoformat(r["retry_after"]) if r.get("retry_after") else None}
        for r in verdict.get("reasons", [])
    ]
    return shown


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you checked, and why massage is safe"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=services.RELEASE_NOTE_MIN_CHARS,
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Release valid until"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy(
            "At most 7 days, or the plan's end if sooner (the default). "
            "A worse value or a new finding ends it sooner."
        ),
    )


@require_POST
@page(Perm.RELEASE_GIVE)
def release(request: ActorRequest, client_id: int, check_id: int) -> HttpResponse:
    actor = request.actor
    client = client_get(actor=actor, client_id=client_id, purpose="released a rule")
    result = selectors.readiness_check_get(client=client, check_id=check_id)
    form = ReleaseForm(request.POST)
    rule_id = request.POST.get("rule", "")
    if form.is_valid():
        try:
            services.release_give(
                actor=actor,
                client=client,
                check=result,
                rule_id=rule_id,
                note=form.cleaned_data["note"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except ValidationFailed as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        except PermissionDenied as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Released. Run today's check again to see the new verdict."))
            return redirect(f"{_check_url(client.pk)}?protocol={result.protocol_id}")
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("library:check_result", client_id=client.pk, check_id=result.pk)


@require_POST
@page(Perm.RELEASE_GIVE)
def release_revoke(request: ActorRequest, client_id: int, release_id: int) -> HttpResponse:
    client = client_get(actor=request.actor, client_id=client_id, purpose="revoked a release")
    item = selectors.release_get(client=client, release_id=release_id)
    try:
        services.release_revoke(actor=request.actor, release=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Release revoked."))
    return redirect("clients:detail", client_id=client.pk)


def _check_url(client_id: int) -> str:
    from django.urls import reverse

    return reverse("library:check", kwargs={"client_id": client_id})
