"""The database half of a backup: dump, check and restore, one function per vendor.

SQLite is copied page by page with its online backup API (`sqlite3.Connection.backup`), which is
consistent while the application keeps writing; PostgreSQL with `pg_dump --format=custom` and
`pg_restore`. The PostgreSQL client tools get the connection from `DATABASES["default"]` and the
password through the PGPASSWORD environment variable: never on a command line, where any user of
the machine could read it in the process list.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from kvalis.backup.errors import BackupError

# The archive member that holds the database dump, by vendor.
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def dump_name(vendor: str) -> str:
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return DUMP_NAMES[vendor]


def database_dump(path: Path) -> None:
    """Write the whole default database to `path`."""
    dump_name(connection.vendor)  # refuses a vendor it cannot dump
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        _run_client("pg_dump", "--format=custom", f"--file={path}", *_pg_connection_args())


def database_dump_check(path: Path, vendor: str) -> None:
    """Refuse a dump the restore could not read (run before anything is changed)."""
    if vendor == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                result = source.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(
                f"The database in the archive is not a SQLite database: {error}."
            ) from None
        if result != "ok":
            raise BackupError(f"The SQLite database in the archive is damaged: {result}.")
    else:
        _run_client("pg_restore", "--list", str(path))


def database_restore(path: Path) -> None:
    """Replace the default database's content with the dump at `path`."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        # pg_restore needs the tables to itself; Django reconnects on the next query.
        connection.close()
        _run_client(
            "pg_restore",
            "--no-owner",
            # Grants name roles of the source server, which the target may not have.
            "--no-acl",
            "--clean",
            "--if-exists",
            # All or nothing: a failure leaves the target as it was.
            "--single-transaction",
            "--exit-on-error",
            *_pg_connection_args(),
            str(path),
        )


def _pg_connection_args() -> list[str]:
    settings = connection.settings_dict
    args = ["--no-password"]  # fail instead of waiting for a password on the terminal
    if settings.get("HOST"):
        args.append(f"--host={settings['HOST']}")
    if settings.get("PORT"):
        args.append(f"--port={settings['PORT']}")
    if settings.get("USER"):
        args.append(f"--username={settings['USER']}")
    args.append(f"--dbname={settings['NAME']}")
    return args


def _pg_environment() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run_client(program: str, *args: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client tools "
            "(apt-get install postgresql-client) of the server's version or newer."
        )
    result = subprocess.run(
        [executable, *args], env=_pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        details = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{program} failed: {details}")
