"""The production static files storage: whitenoise's hashed, compressed copies in STATIC_ROOT."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's CompressedManifestStaticFilesStorage (`collectstatic` writes each file under a name
    carrying a hash of its content, with a .gz copy, and a manifest), with one difference: a process that
    finds no manifest (nothing collected yet, e.g. a page rendered without `kneadwell serve`) uses the plain
    names, which whitenoise serves from the package through the finders, instead of failing on every page.
    Once a manifest is loaded, every name must be in it (manifest_strict), as in whitenoise's own."""

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
