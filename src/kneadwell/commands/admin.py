"""`kneadwell migrate` and `kneadwell create-organisation`: set-up steps for a real deployment."""

from __future__ import annotations

import argparse
import secrets
import sys

from kneadwell.core.bootstrap import django_setup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = subparsers.add_parser("migrate", help="apply database migrations and load the content library")
    migrate.set_defaults(func=run_migrate)

    org = subparsers.add_parser(
        "create-organisation", help="create an organisation and its first administrator (prints a password)"
    )
    org.add_argument("--name", required=True, help="organisation name, e.g. 'St Mary's NICU'")
    org.add_argument("--kind", default="clinic", choices=["clinic", "nicu", "class", "family", "research"])
    org.add_argument("--admin-email", required=True)
    org.add_argument("--admin-name", required=True)
    org.set_defaults(func=run_create_organisation)


def run_migrate(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.commands.serve import prepare

    prepare(demo=False)
    print("Database is up to date.")
    return 0


def run_create_organisation(args: argparse.Namespace) -> int:
    django_setup()
    from django.db import transaction

    from kneadwell.accounts.models import User
    from kneadwell.accounts.services import organisation_create, user_create
    from kneadwell.core.errors import ValidationFailed

    password = secrets.token_urlsafe(12)
    try:
        with transaction.atomic():
            user = User.objects.filter(email__iexact=args.admin_email).first()
            created = user is None
            if user is None:
                user = user_create(email=args.admin_email, full_name=args.admin_name, password=password)
            org, _ = organisation_create(name=args.name, kind=args.kind, owner=user)
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    print(f"Created organisation {org.name!r} (id {org.pk}) with administrator {user.email}.")
    if created:
        print(f"Temporary password: {password}  (change it after logging in: use 'Forgotten your password?')")
    return 0
