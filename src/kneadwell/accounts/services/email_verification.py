"""Email address verification: send the signed link, and mark the address verified when it is opened."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import User
from kneadwell.audit.writes import save_audited
from kneadwell.core.errors import DomainError, NotFound
from kneadwell.core.recipients import language_of

if TYPE_CHECKING:
    pass


VERIFY_DAYS = 3
VERIFY_SALT = "kneadwell.accounts.verify-email"


def _verify_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT, compress=True)


def email_verification_send(*, user: User, base_url: str) -> str:
    """Email the signed link that verifies `user`'s address (after the surrounding transaction commits);
    returns the link."""
    link = f"{base_url.rstrip('/')}/accounts/verify/{_verify_token(user)}/"
    address = user.email
    with translation.override(language_of(user)):
        subject = _("Confirm your email address for Kneadwell")
        message = (
            _("Hello %(name)s,") % {"name": user.full_name or address}
            + "\n\n"
            + _("Please confirm that this is your email address by opening this link within %(days)s days:")
            % {"days": VERIFY_DAYS}
            + f"\n{link}\n\n"
            + _(
                "You can use Kneadwell in the meantime. If you did not create an account, ignore this "
                "message."
            )
            + "\n"
        )
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )
    return link


def email_verify(*, token: str, ip: str = "") -> User:
    """Mark the address in a verification link as verified. A link that is altered, expired, or for an
    address the account no longer has is refused with a message saying what to do."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=dt.timedelta(days=VERIFY_DAYS))
    except signing.SignatureExpired:
        raise DomainError(
            _("This link is more than %(days)s days old. Log in and choose “send the link again”.")
            % {"days": VERIFY_DAYS}
        ) from None
    except signing.BadSignature:
        raise NotFound(
            _("This link is not valid. Check that it was copied whole, or ask for a new one.")
        ) from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or user.email.lower() != str(data.get("e", "")):
        raise NotFound(_("This link is not valid any more. Log in and ask for a new one."))
    if user.email_verified_at is None:
        with transaction.atomic():
            user.email_verified_at = timezone.now()
            membership = user.memberships.select_related("organisation").order_by("created_at", "pk").first()
            if membership is None:
                # An account in no organisation yet: the audit log files every row under one.
                user.save(update_fields=["email_verified_at"])
            else:
                save_audited(
                    actor=Actor(user=user, membership=membership, channel=Channel.PAGE, ip=ip),
                    obj=user,
                    update_fields=["email_verified_at"],
                    entity="user",
                    summary=f"verified the email address {user.email}",
                )
    return user
