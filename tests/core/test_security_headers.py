"""Response headers (issue 10): a Content-Security-Policy without inline script, Permissions-Policy,
Referrer-Policy, nosniff and frame denial on every answer; HSTS and the HTTPS redirect behind the TLS
proxy; `check --deploy` clean with the production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/v1/openapi.json", "/api/v1/docs"])
def test_every_answer_carries_the_security_headers(client: HttpClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_template_has_an_inline_script() -> None:
    # script-src 'self' would silently break one; a data block (type="application/json") is not run.
    templates = Path(__file__).resolve().parents[2] / "src" / "kneadwell" / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(str(path.relative_to(templates)))
        if " onclick=" in text or " onload=" in text or " onsubmit=" in text or "javascript:" in text:
            offenders.append(str(path.relative_to(templates)))
    assert offenders == []


def _production_env(**extra: str) -> dict[str, str]:
    # (The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is a test-only switch that check --deploy rightly flags.)
    dropped = {"DEBUG", "SECURE_COOKIES", "BEHIND_TLS_PROXY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="kneadwell.settings",
        SECRET_KEY="x7#Kq9!vR2$mT5^wY8&zB3*nD6(fH1)jL4_pS0+uX-cE=gI[oA]rV{tN}yQ|kM;",
        ALLOWED_HOSTS="kneadwell.example.org",
        SECURE_COOKIES="true",
        BEHIND_TLS_PROXY="true",
        DEBUG="false",
        **extra,
    )
    return env


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_the_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_tls_settings() -> None:
    # The other side of the test above: without the proxy settings the same check must complain, so a
    # clean result above means the settings did it, not a silenced check.
    env = _production_env()
    env["BEHIND_TLS_PROXY"] = "false"
    env["SECURE_COOKIES"] = "false"
    result = _run(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        env,
    )
    assert result.returncode != 0
    assert "W004" in result.stderr
    assert "W008" in result.stderr


REQUEST = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
plain = Client(HTTP_HOST="kneadwell.example.org").get("/accounts/login/")
tls = Client(HTTP_HOST="kneadwell.example.org").get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(plain.status_code, plain.get("Location"))
print(tls.status_code, tls.get("Strict-Transport-Security"))
"""


def test_behind_the_tls_proxy_http_is_redirected_and_https_carries_hsts() -> None:
    result = _run(REQUEST, _production_env())
    assert result.returncode == 0, result.stderr
    plain, tls = result.stdout.strip().splitlines()[-2:]
    assert plain == "301 https://kneadwell.example.org/accounts/login/"
    assert tls == "200 max-age=31536000; includeSubDomains"
