from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kneadwell.accounts.roles import ROLE_LABELS, Role
from kneadwell.core.models import TimestampedModel
from kneadwell.core.tenancy import TenantManager

ROLE_CHOICES = [(role.value, gettext_lazy(label)) for role, label in ROLE_LABELS.items()]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. Email is the login name."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(gettext_lazy("email address"), unique=True)
    full_name = models.CharField(max_length=150)
    # When the person opened the signed link emailed to this address (family sign-up), or accepted an
    # invitation sent to it. Empty: not yet shown to be theirs.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The language the person chose (a code from settings.LANGUAGES); empty: their browser's. Kept on the
    # account so that it follows them to another phone (core/i18n.py applies it once they are signed in).
    language = models.CharField(max_length=10, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.full_name or self.email


class Organisation(TimestampedModel):
    class Kind(models.TextChoices):
        CLINIC = "clinic", gettext_lazy("Clinic or practice")
        NICU = "nicu", gettext_lazy("Neonatal unit")
        CLASS = "class", gettext_lazy("Infant-massage classes")
        FAMILY = "family", gettext_lazy("One family")
        RESEARCH = "research", gettext_lazy("Research programme")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CLINIC)
    # Organisation-level settings (e.g. screening thresholds); each key documented where it is read.
    settings = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(TimestampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)

    objects = TenantManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class Invitation(TimestampedModel):
    """An emailed invitation to join an organisation with a role; a caregiver invitation may name the
    client the new member will be a guardian of."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    client = models.ForeignKey("clients.Client", null=True, blank=True, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager(parents=("client",))

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class ApiToken(TimestampedModel):
    """A personal API token, bound to one membership. Only its SHA-256 is stored; the token itself is shown
    once, when it is created."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    objects = TenantManager(through="membership")

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class SignupAttempt(models.Model):
    """One family sign-up that reached the point of creating an account or emailing an address (a new
    account, or an address that already had one), by network address: what the per-address limit counts."""

    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    created_account = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"sign-up from {self.ip} at {self.at:%Y-%m-%d %H:%M}"
