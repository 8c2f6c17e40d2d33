"""Dependencies as they are used (issue 16): the rcpchgrowth whose rules outcomes/growth copies, no
test-only package imported by src, and static files collected hashed and compressed."""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import override_settings

from kneadwell.outcomes.growth.zscores import RCPCHGROWTH_VERSION

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kneadwell"


# --- rcpchgrowth --------------------------------------------------------------------------------------


def test_the_installed_rcpchgrowth_is_the_one_whose_rules_are_copied() -> None:
    # outcomes/growth/zscores.py copies rcpchgrowth's rules and references.py reads its data files: another
    # release may change either. Compare its global_functions.py and data_tables with the copy, then
    # change RCPCHGROWTH_VERSION and the pin in pyproject.toml together.
    assert importlib.metadata.version("rcpchgrowth") == RCPCHGROWTH_VERSION


def test_pyproject_and_the_lock_pin_that_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.startswith("rcpchgrowth")]
    assert pins == [f"rcpchgrowth=={RCPCHGROWTH_VERSION}"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = [p["version"] for p in lock["package"] if p["name"] == "rcpchgrowth"]
    assert locked == [RCPCHGROWTH_VERSION]


# --- what src imports ---------------------------------------------------------------------------------

# Installed for the tests only (the dev group): src must not import them.
TEST_ONLY = {
    "hypothesis",
    "pytest",
    "playwright",
    "schemathesis",
    "pypdf",
}


def test_src_imports_no_package_that_only_the_tests_install() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.relative_to(SRC)}: {n}" for n in names if n.split(".")[0] in TEST_ONLY]
    assert offenders == []


def test_statsmodels_is_a_production_dependency_and_factory_boy_is_gone() -> None:
    # The evaluation area's analysis runs statsmodels in the app (issue 13), so it is installed for
    # production; one entry, not also in the dev group.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    production = " ".join(project["project"]["dependencies"])
    dev = " ".join(project["dependency-groups"]["dev"])
    assert "statsmodels" in production
    assert "statsmodels" not in dev
    assert "factory" not in production + dev


# --- static files -------------------------------------------------------------------------------------


def _hashed_storage(root: Path) -> override_settings:
    return override_settings(
        STATIC_ROOT=root,
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": settings.STATIC_HASHED_STORAGE}},
    )


def _assert_hashed_and_compressed(root: Path) -> str:
    """The hashed name of css/kneadwell.css in the manifest under `root`, after checking the files."""
    manifest = json.loads((root / "staticfiles.json").read_text(encoding="utf-8"))
    hashed = manifest["paths"]["css/kneadwell.css"]
    assert re.fullmatch(r"css/kneadwell\.[0-9a-f]{12}\.css", hashed)
    assert (root / hashed).is_file()
    assert (root / f"{hashed}.gz").is_file()
    assert (root / "js/player.js").is_file()
    assert (root / f"{manifest['paths']['js/player.js']}.gz").is_file()
    return str(hashed)


def test_outside_the_tests_the_settings_choose_the_hashed_storage(tmp_path: Path) -> None:
    env = {**os.environ, "KNEADWELL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kneadwell.settings"}
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == settings.STATIC_HASHED_STORAGE
    # The tests themselves render pages without collecting: plain storage.
    assert settings.STORAGES["staticfiles"]["BACKEND"] == settings.STATIC_PLAIN_STORAGE


def test_collectstatic_with_the_production_storage_writes_hashed_and_compressed_files(tmp_path: Path) -> None:
    with _hashed_storage(tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        hashed = _assert_hashed_and_compressed(tmp_path)
        assert staticfiles_storage.url("css/kneadwell.css") == f"/static/{hashed}"
        # whitenoise serves the hashed name for a year and the .gz to a browser that accepts it.
        response = HttpClient().get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]


def test_before_anything_is_collected_the_production_storage_uses_the_plain_names(tmp_path: Path) -> None:
    # A page rendered by a process that did not collect (no manifest) still works; whitenoise serves the
    # package's files through the finders.
    with _hashed_storage(tmp_path):
        assert staticfiles_storage.url("css/kneadwell.css") == "/static/css/kneadwell.css"
        assert HttpClient().get("/static/css/kneadwell.css").status_code == 200


def test_kneadwell_serve_collects_before_it_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gunicorn.app.base import BaseApplication

    from kneadwell.commands import serve

    listened: list[bool] = []
    monkeypatch.setattr(serve, "prepare", lambda *, demo: None)  # migrate and content: tested elsewhere
    monkeypatch.setattr(BaseApplication, "run", lambda self: listened.append(True))
    args = argparse.Namespace(host="127.0.0.1", port=0, demo=False, workers=1, threads=None)
    with _hashed_storage(tmp_path):
        assert serve.run(args) == 0
        _assert_hashed_and_compressed(tmp_path)
    assert listened == [True]
