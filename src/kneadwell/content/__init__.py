"""Clinical content: one reader for every reviewed YAML file (loader), one source registry (sources), one
content version over all of it (loader.current_version) and one check of the whole (check).

Imports nothing here, so `import kneadwell.content.loader` stays light and Django-free.
"""
