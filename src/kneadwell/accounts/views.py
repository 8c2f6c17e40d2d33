from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kneadwell.accounts import selectors, services
from kneadwell.accounts.forms import AcceptInvitationForm, InvitationForm, MemberForm, TokenForm
from kneadwell.accounts.middleware import SESSION_KEY
from kneadwell.accounts.roles import Perm, Role
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page


@page(Perm.TEAM_MANAGE)
def team(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    clients = [
        (c.pk, c.display_name) for c in client_queryset(actor=actor).only("given_name", "family_name")[:500]
    ]
    form = InvitationForm(request.POST or None, client_choices=clients)
    if request.method == "POST" and form.is_valid():
        try:
            _, link = services.invitation_create(
                actor=actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                client_id=form.cleaned_data["client"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}. Link: {link}")
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
            messages.success(request, f"Saved {member.user.email}.")
    else:
        messages.error(request, "Choose a role.")
    return redirect("accounts:team")


@require_POST
@page(Perm.TEAM_MANAGE)
def invitation_revoke(request: ActorRequest, invitation_id: int) -> HttpResponse:
    invitation = services.invitation_revoke(actor=request.actor, invitation_id=invitation_id)
    messages.success(request, f"The invitation to {invitation.email} can no longer be used.")
    return redirect("accounts:team")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: a new person sets a name and password; someone who already has
    an account logs in with the invited address first."""
    try:
        invitation = services.invitation_find(raw_token=token)
    except NotFound as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=404)
    from kneadwell.accounts.models import User

    existing = User.objects.filter(email__iexact=invitation.email).first()
    context: dict[str, Any] = {"invitation": invitation, "existing": existing}
    if existing is not None:
        if request.method == "POST" and request.user.is_authenticated:
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                request.session[SESSION_KEY] = membership.pk
                messages.success(request, f"You joined {invitation.organisation.name}.")
                return redirect("dashboard")
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
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect("dashboard")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


@page(Perm.TOKEN_MANAGE)
def tokens(request: ActorRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.api_token_create(
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
    messages.success(request, f"Token {token.name!r} revoked.")
    return redirect("accounts:tokens")


@page()
def organisation_switch(request: ActorRequest) -> HttpResponse:
    memberships = selectors.memberships_of(user_id=request.actor.user.pk)
    if request.method == "POST":
        wanted = memberships.filter(pk=request.POST.get("membership") or 0).first()
        if wanted is not None:
            request.session[SESSION_KEY] = wanted.pk
            messages.success(request, f"You are now working in {wanted.organisation.name}.")
            return redirect("dashboard")
        messages.error(request, "Choose one of your organisations.")
    return render(request, "accounts/organisation_switch.html", {"memberships": memberships})
