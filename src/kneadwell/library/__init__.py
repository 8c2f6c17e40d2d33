"""The content library: techniques, body regions, routines, protocols, safety rules and their sources.

The pure parts (schema, loader, screening, in-session stop rules, body map) live in their own modules and
import no Django; the Django models that mirror the library will live next to them. This file imports
nothing on purpose, so `import kneadwell.library.screening` stays fast and Django-free.
"""
