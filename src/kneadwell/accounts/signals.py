"""Login and logout are written to the audit log. Django announces them only through these signals, so
this is the one place we listen to signals; nothing here changes clinical data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action


def _ip(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45] if request is not None else ""


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_action(
        actor=None,
        action=Action.LOGIN,
        entity="user",
        entity_id=user.pk,
        channel="page",
        label=user.email,
        summary="logged in" + (f" from {_ip(request)}" if request else ""),
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_action(
            actor=None,
            action=Action.LOGOUT,
            entity="user",
            entity_id=user.pk,
            channel="page",
            label=user.email,
            summary="logged out",
        )


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    label = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_action(
        actor=None,
        action=Action.LOGIN_FAILED,
        entity="user",
        channel="page",
        label=label,
        summary="failed login" + (f" from {_ip(request)}" if request else ""),
    )
