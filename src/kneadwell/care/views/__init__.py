"""Care pages, one module per kind: plans, sessions (start and player), notes, adverse_events, and the
unit-wide adherence page. care/urls.py names each view from its module."""
