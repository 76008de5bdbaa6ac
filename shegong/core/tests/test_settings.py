import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args, **env):
    full_env = {**os.environ, **env}
    full_env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SHEGONG_PRODUCTION="1",
        SECRET_KEY="k" * 20 + "Zx9-long-enough-secret-key-0123456789",
        SHEGONG_VAR_DIR=str(tmp_path),
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_generated_once_into_var(tmp_path):
    env = {"SHEGONG_VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage("shell", "--no-imports", "-c", code, **env).stdout.strip()
    second = _manage("shell", "--no-imports", "-c", code, **env).stdout.strip()
    assert len(first) >= 50
    assert first == second == (tmp_path / "secret_key").read_text().strip()
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_debug_is_off_unless_asked(settings):
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_security_headers_are_sent(client):
    response = client.get(reverse("core:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
