"""Interoperability and data safety: FHIR R4B export and import, CSV export and import, whole-database
backup and restore (see docs/interop.md)."""
