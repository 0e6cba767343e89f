"""The settings module fails loudly on malformed environment variables, and a production-like
configuration passes `kvalis check --deploy`.

Each case runs in a subprocess with a clean environment: settings are read once per process.
"""

import os
import secrets
import subprocess
import sys

import pytest

from kvalis.settings import DEVELOPMENT_SECRET_KEY

# Variables the settings module reads; the tests start from none of them set.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_FILE_PATH",
    "DEFAULT_FROM_EMAIL",
    "TASKS_IMMEDIATE",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "KVALIS_MAX_UPLOAD_MB",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "LOG_LEVEL",
    # Set by the browser fixtures for the test process; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CACHE_BACKEND",
}


def run(tmp_path, args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "kvalis.settings"
    env["KVALIS_VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return subprocess.run(
        args,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def run_python(tmp_path, code: str, **variables: str) -> subprocess.CompletedProcess:
    return run(tmp_path, [sys.executable, "-c", code], **variables)


def import_settings(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    return run_python(tmp_path, "import kvalis.settings", **variables)


def test_defaults_import_cleanly(tmp_path):
    result = import_settings(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"EMAIL_PORT": "abc"}, "EMAIL_PORT"),
        ({"EMAIL_HOST": "smtp.example.lt", "EMAIL_PORT": "abc"}, "EMAIL_PORT"),
        ({"EMAIL_USE_TLS": "sometimes"}, "EMAIL_USE_TLS"),
        ({"DATABASE_URL": "garbage"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://kvalis:kvalis@db:port/kvalis"}, "DATABASE_URL"),
        ({"KVALIS_MAX_UPLOAD_MB": "ten"}, "KVALIS_MAX_UPLOAD_MB"),
        ({"TASKS_IMMEDIATE": "2"}, "TASKS_IMMEDIATE"),
        ({"CACHE_BACKEND": "redis"}, "CACHE_BACKEND"),
        ({"DEBUG": "0", "SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value),
)
def test_malformed_variable_stops_start_up_naming_the_variable(tmp_path, variables, named):
    result = import_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert named in last_line, result.stderr


def production_variables(tmp_path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "kvalis.example.lt",
        "CSRF_TRUSTED_ORIGINS": "https://kvalis.example.lt",
        "SITE_URL": "https://kvalis.example.lt",
        "EMAIL_HOST": "smtp.example.lt",
        "EMAIL_HOST_USER": "kvalis",
        "EMAIL_HOST_PASSWORD": "secret",
        "DEFAULT_FROM_EMAIL": "Kvalis <kvalis@example.lt>",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path):
    # The console script, as the README's deployment steps run it.
    kvalis = [sys.executable, "-m", "kvalis"]
    result = run(tmp_path, [*kvalis, "check", "--deploy"], **production_variables(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_are_secure(tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS > 0, bool(settings.SECURE_CSP))"
    )
    result = run_python(tmp_path, code, **production_variables(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True"]


def test_debug_off_without_allowed_hosts_defaults_to_none(tmp_path):
    variables = production_variables(tmp_path)
    del variables["ALLOWED_HOSTS"]
    code = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = run_python(tmp_path, code, **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_database_cache_is_shared_by_processes(tmp_path):
    """With CACHE_BACKEND=database, a count written by one process is read by another."""
    database = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    setup = run(
        tmp_path,
        [sys.executable, "-m", "kvalis", "createcachetable"],
        DATABASE_URL=database,
        CACHE_BACKEND="database",
    )
    assert setup.returncode == 0, setup.stderr
    code = (
        "import django; django.setup(); from django.core.cache import cache; "
        "cache.add('n', 0, 60); print(cache.incr('n'))"
    )
    first = run_python(tmp_path, code, DATABASE_URL=database, CACHE_BACKEND="database")
    second = run_python(tmp_path, code, DATABASE_URL=database, CACHE_BACKEND="database")
    assert (first.stdout.strip(), second.stdout.strip()) == ("1", "2"), first.stderr + second.stderr
