"""The session note page (SOAP or diary) and its amendments."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.care import selectors, services
from kneadwell.care.forms import (
    AmendForm,
    DiaryForm,
    SoapForm,
)
from kneadwell.care.models import Note
from kneadwell.core.errors import Conflict, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.library import selectors as library_selectors
from kneadwell.library.bodymap import render_body_map


@page(Perm.CLIENT_VIEW)
def note(request: ActorRequest, session_id: int) -> HttpResponse:
    actor = request.actor
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="opened the session note")
    lib = library_selectors.library()
    existing = selectors.note_of(session=session)
    diary = existing.kind == Note.Kind.DIARY if existing else actor.is_caregiver
    if existing is not None:
        initial = {
            f: getattr(existing, f)
            for f in (
                "subjective",
                "objective",
                "assessment",
                "plan_text",
                "response",
                "sleep_after",
                "stools",
                "techniques",
                "regions",
                "pressure",
                "minutes",
                "version",
            )
        }
    else:
        done = session.step_logs.filter(outcome="done")
        initial = {
            "techniques": sorted({log.technique_id for log in done}),
            "regions": sorted({r for log in done for r in log.regions}),
            "minutes": round(sum(log.seconds for log in done) / 60, 1),
        }
    form: DiaryForm | SoapForm = (
        DiaryForm(request.POST or None, initial=initial)
        if diary
        else SoapForm(request.POST or None, initial=initial, library=lib)
    )
    if request.method == "POST" and actor.can(Perm.NOTE_SIGN) and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            saved = services.note_save(actor=actor, session=session, expected_version=version, **data)
            if request.POST.get("sign"):
                services.note_sign(actor=actor, note=saved, expected_version=saved.version)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Note signed and locked.") if request.POST.get("sign") else _("Note saved.")
            )
            return redirect("care:note", session_id=session.pk)
    return render(
        request,
        "care/note.html",
        {
            "session": session,
            "client": session.client,
            "note": existing,
            "form": form,
            "diary": diary,
            "amend_form": AmendForm(),
            "can_write": actor.can(Perm.NOTE_SIGN),
            "body_map": render_body_map(lib, highlighted=existing.regions, title=_("Areas worked"))
            if existing and existing.regions
            else None,
        },
    )


@require_POST
@page(Perm.NOTE_SIGN)
def note_amend(request: ActorRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get(actor=request.actor, session_id=session_id, purpose="amended the note")
    existing = selectors.note_of(session=session)
    form = AmendForm(request.POST)
    if existing is None:
        messages.error(request, _("There is no note to amend yet."))
    elif not form.is_valid():
        messages.error(request, _("Write the amendment and why it is needed."))
    else:
        try:
            services.note_amend(
                actor=request.actor,
                note=existing,
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Amendment added; the original note is unchanged."))
    return redirect("care:note", session_id=session.pk)
