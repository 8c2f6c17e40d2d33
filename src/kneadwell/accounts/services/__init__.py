"""Writes for accounts: validate, save, audit. Each kind of write lives in its own module; the names are
re-exported here because the pages, forms, API, CLI and tests call them as `services.<name>`.

- organisations: organisations and user accounts
- memberships: invitations and memberships
- tokens: personal API tokens
- signup: family sign-up and its throttle
- email_verification: the signed link that verifies an address
- preferences: a person's own choices (their language)
"""

from kneadwell.accounts.services.email_verification import (
    VERIFY_DAYS,
    VERIFY_SALT,
    email_verification_send,
    email_verify,
)
from kneadwell.accounts.services.memberships import (
    INVITATION_DAYS,
    invitation_accept,
    invitation_create,
    invitation_find,
    invitation_revoke,
    membership_update,
)
from kneadwell.accounts.services.organisations import organisation_create, user_create
from kneadwell.accounts.services.preferences import user_language_set
from kneadwell.accounts.services.signup import (
    CONSENT_ATTESTATION,
    EXISTING_ACCOUNT_MESSAGE,
    SIGNUP_LIMIT,
    SIGNUP_SCOPES,
    SIGNUP_WINDOW,
    FamilySignup,
    SignupThrottled,
    family_signup,
    signup_history_lines,
    signup_throttle_check,
)
from kneadwell.accounts.services.tokens import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "CONSENT_ATTESTATION",
    "EXISTING_ACCOUNT_MESSAGE",
    "INVITATION_DAYS",
    "SIGNUP_LIMIT",
    "SIGNUP_SCOPES",
    "SIGNUP_WINDOW",
    "TOKEN_PREFIX",
    "VERIFY_DAYS",
    "VERIFY_SALT",
    "FamilySignup",
    "SignupThrottled",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "email_verification_send",
    "email_verify",
    "family_signup",
    "invitation_accept",
    "invitation_create",
    "invitation_find",
    "invitation_revoke",
    "membership_update",
    "organisation_create",
    "signup_history_lines",
    "signup_throttle_check",
    "user_create",
    "user_language_set",
]
