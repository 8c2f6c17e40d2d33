"""The offline web app (issue 14): the service worker and manifest, the per-client offline kit, and the
sync of records kept on a device while it had no network (each stored once, re-checked by the server)."""
