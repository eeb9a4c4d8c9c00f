"""Production settings pass Django's deployment checks and serve compressed static files."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def run(*args, env_extra=None, tmp_path):
    # The browser tests allow Django's ORM next to Playwright's event loop in this process; a
    # production check rightly refuses that setting, so the child does not inherit it.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "SKILLNADER_HOME": str(tmp_path),
            "SKILLNADER_PRODUCTION": "1",
            "SKILLNADER_SECRET_KEY": secrets.token_urlsafe(64),
            "SKILLNADER_ALLOWED_HOSTS": "skillnader.example",
            "SKILLNADER_STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "skillnader.cli", "manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean(tmp_path):
    r = run("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    r = run("check", env_extra={"SKILLNADER_SECRET_KEY": ""}, tmp_path=tmp_path)
    assert r.returncode != 0 and "SKILLNADER_SECRET_KEY" in r.stderr


def test_collectstatic_makes_compressed_hashed_files(tmp_path):
    r = run("collectstatic", "--noinput", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    manifest = tmp_path / "static" / "staticfiles.json"
    assert manifest.exists()
    assert list((tmp_path / "static").rglob("*.css.gz"))
