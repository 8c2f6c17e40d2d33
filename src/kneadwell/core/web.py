"""Glue between pages and services: who the actor is, permission checks, and domain errors turned into
the right HTTP answers. Every page view is wrapped in `page()`; nothing is reachable without a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import NotFound, PermissionDenied, ValidationFailed
from kneadwell.core.tenancy import organisation_scope

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ActorRequest(HttpRequest):
    """A request that passed `page()`: it has an actor."""

    actor: Actor


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


def page(perm: Perm | None = None) -> Callable[[View], View]:
    """Require a signed-in member of an organisation holding `perm` (any member when None)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return forbidden(
                    request,
                    _(
                        "Your account is not a member of any organisation yet. Ask an "
                        "administrator to invite you."
                    ),
                )
            actor = Actor(
                user=cast(Any, request.user),
                membership=membership,
                channel=Channel.PAGE,
                ip=client_ip(request),
            )
            if perm is not None and not actor.can(perm):
                return forbidden(
                    request,
                    _("Your role (%(role)s) does not give access to this page.")
                    % {"role": actor.role.label},
                )
            request.actor = actor  # type: ignore[attr-defined]
            try:
                # Client-bound reads see the actor's organisation only (kneadwell.core.tenancy).
                with organisation_scope(actor.organisation_id):
                    return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except PermissionDenied as exc:
                return forbidden(request, exc.message)

        return cast(View, wrapped)

    return decorator


def apply_errors(form: forms.Form, error: ValidationFailed) -> None:
    """Show a service's validation messages on the form fields they belong to (or on the form)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
