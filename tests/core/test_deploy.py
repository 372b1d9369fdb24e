"""With the production values of the README's deployment section, `check --deploy` reports nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "rasoat.laichau.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://rasoat.laichau.gov.vn",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def run_check(env: dict, tmp_path) -> subprocess.CompletedProcess:
    full = {**os.environ, "RASOAT_VAR_DIR": str(tmp_path), **env}
    full.pop("DATABASE_URL", None)
    # Set by the browser tests for their own process; a deployment never has it.
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run_check(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_them(tmp_path):
    result = run_check({"DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_readme_deployment_section_lists_every_production_value():
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION:
        assert name in readme, f"{name} missing from README"
