from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts import selectors, services
from kneadwell.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    MemberForm,
    SignupForm,
    TokenForm,
)
from kneadwell.accounts.middleware import SESSION_KEY
from kneadwell.accounts.roles import Perm, Role
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, client_ip, page
from kneadwell.library.selectors import suggested_protocol


@page(Perm.TEAM_MANAGE)
def team(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    clients = [
        (c.pk, c.display_name) for c in client_queryset(actor=actor).only("given_name", "family_name")[:500]
    ]
    form = InvitationForm(request.POST or None, client_choices=clients)
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, link = services.invitation_create(
                actor=actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                client_id=form.cleaned_data["client"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. Link: %(link)s")
                % {"email": form.cleaned_data["email"], "link": link},
            )
            return redirect("accounts:team")
    return render(
        request,
        "accounts/team.html",
        {
            "form": form,
            "members": selectors.member_list(actor=actor),
            "invitations": selectors.invitation_list(actor=actor)[:50],
            "roles": list(Role),
        },
    )


@require_POST
@page(Perm.TEAM_MANAGE)
def member_update(request: ActorRequest, membership_id: int) -> HttpResponse:
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.membership_update(
                actor=request.actor,
                membership_id=membership_id,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved %(email)s.") % {"email": member.user.email})
    else:
        messages.error(request, _("Choose a role."))
    return redirect("accounts:team")


@require_POST
@page(Perm.TEAM_MANAGE)
def invitation_revoke(request: ActorRequest, invitation_id: int) -> HttpResponse:
    invitation = services.invitation_revoke(actor=request.actor, invitation_id=invitation_id)
    messages.success(
        request, _("The invitation to %(email)s can no longer be used.") % {"email": invitation.email}
    )
    return redirect("accounts:team")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: a new person sets a name and password; someone who already has
    an account logs in with the invited address first."""
    try:
        invitation = services.invitation_find(raw_token=token)
    except NotFound as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=404)
    existing = selectors.user_by_email(email=invitation.email)
    context: dict[str, Any] = {"invitation": invitation, "existing": existing}
    if existing is not None:
        if request.method == "POST" and request.user.is_authenticated:
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                request.session[SESSION_KEY] = membership.pk
                messages.success(
                    request,
                    _("You joined %(organisation)s.") % {"organisation": invitation.organisation.name},
                )
                return _after_accepting(invitation.client_id, membership.role)
        return render(request, "accounts/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                email=invitation.email,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
            membership = services.invitation_accept(invitation=invitation, user=user)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = membership.pk
            messages.success(
                request, _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name}
            )
            return _after_accepting(invitation.client_id, membership.role)
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


def _after_accepting(client_id: int | None, role: str) -> HttpResponse:
    """An invited parent lands straight on their child; everyone else on the home page."""
    if client_id is not None and role == Role.CAREGIVER:
        return redirect("clients:detail", client_id=client_id)
    return redirect("dashboard")


def signup(request: HttpRequest) -> HttpResponse:
    """Family sign-up (public): the parent's account, a family organisation and the baby's record with the
    parent's consent, in one form; then the parent is logged in on their baby's page."""
    if request.user.is_authenticated and getattr(request, "membership", None) is not None:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    throttled = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.family_signup(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                baby_given_name=data["baby_given_name"],
                baby_birth_date=data["baby_birth_date"],
                baby_sex=data["baby_sex"],
                born_early=data["gestation"] == "early",
                gestation_weeks=data["gestation_weeks"],
                gestation_days=data["gestation_days"],
                consent=data["consent"],
                history=form.history_answer(),
                history_required=True,
                ip=client_ip(request),
                base_url=request.build_absolute_uri("/"),
            )
        except services.SignupThrottled as exc:
            throttled = exc.message
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            if result is None:
                message = _(services.EXISTING_ACCOUNT_MESSAGE).format(email=data["email"].strip().lower())
                return render(request, "accounts/signup_sent.html", {"message": message})
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = result.membership.pk
            # The language the page was in (the chooser's, or the browser's) becomes the account's.
            services.user_language_set(user=result.user, language=translation.get_language() or "")
            messages.success(
                request,
                _(
                    "Welcome! %(name)s’s record is ready. We have emailed you a link to confirm your "
                    "address; you can start now."
                )
                % {"name": result.client.given_name},
            )
            return redirect(_after_signup(result))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "throttled": throttled, "limit": services.SIGNUP_LIMIT},
        status=429 if throttled else 200,
    )


def _after_signup(result: services.FamilySignup) -> str:
    """Where a new parent goes: today's check for their baby's first programme when the history is
    complete; the history page when a ticked line needs a few more answers; else the baby's page."""
    client_id = result.client.pk
    if result.intake is None:
        return reverse("clients:detail", args=[client_id])
    if result.ticked:
        return reverse("library:intake", args=[client_id])
    protocol = suggested_protocol(client=result.client, population=result.intake.population)
    if protocol is None:
        return reverse("clients:detail", args=[client_id])
    return f"{reverse('library:check', args=[client_id])}?protocol={protocol}"


def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed at sign-up (public: it may be opened on another device, logged out)."""
    try:
        user = services.email_verify(token=token, ip=client_ip(request))
    except DomainError as exc:
        status = 404 if isinstance(exc, NotFound) else 400
        return render(request, "accounts/verify_invalid.html", {"message": exc.message}, status=status)
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": user.email})
    if request.user.is_authenticated:
        return redirect("dashboard")
    return redirect("accounts:login")


RESEND_SESSION_KEY = "verify_link_sent_at"
RESEND_SECONDS = 60


@require_POST
@page()
def email_verify_resend(request: ActorRequest) -> HttpResponse:
    user = request.actor.user
    now = time.time()
    last = request.session.get(RESEND_SESSION_KEY)
    if user.email_verified_at is None and isinstance(last, float) and now - last < RESEND_SECONDS:
        # One tap too many (or a stuck button) does not fill the inbox.
        messages.info(
            request,
            _("We sent the link to %(email)s a moment ago; it can take a few minutes.")
            % {"email": user.email},
        )
    elif user.email_verified_at is None:
        services.email_verification_send(user=user, base_url=request.build_absolute_uri("/"))
        request.session[RESEND_SESSION_KEY] = now
        messages.success(request, _("We have sent the link again to %(email)s.") % {"email": user.email})
    else:
        messages.success(request, _("%(email)s is already confirmed.") % {"email": user.email})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("dashboard")


@page(Perm.TOKEN_MANAGE)
def tokens(request: ActorRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _created, new_token = services.api_token_create(
                actor=request.actor,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": selectors.api_token_list(actor=request.actor),
        },
    )


@require_POST
@page(Perm.TOKEN_MANAGE)
def token_revoke(request: ActorRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(actor=request.actor, token_id=token_id)
    messages.success(request, _("Token %(name)r revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@page()
def organisation_switch(request: ActorRequest) -> HttpResponse:
    memberships = selectors.memberships_of(user_id=request.actor.user.pk)
    if request.method == "POST":
        wanted = memberships.filter(pk=request.POST.get("membership") or 0).first()
        if wanted is not None:
            request.session[SESSION_KEY] = wanted.pk
            messages.success(
                request,
                _("You are now working in %(organisation)s.") % {"organisation": wanted.organisation.name},
            )
            return redirect("dashboard")
        messages.error(request, _("Choose one of your organisations."))
    return render(request, "accounts/organisation_switch.html", {"memberships": memberships})
