"""Shared test helpers: named users per role, organisations, clients with consent, API clients."""
