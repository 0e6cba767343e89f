"""Backup and restore of a whole Kvalis: the database, MEDIA_ROOT and a manifest.

An archive is a gzip-compressed tar file:

    database.sqlite3 | database.pgdump   the database (see kvalis.backup.database)
    media/<path>                         every file under MEDIA_ROOT (certificate PDFs, expense
                                         scans, report exports, imported spreadsheets)
    manifest.json                        written last: what the archive is and a SHA-256 of
                                         every other member

A restore reads the whole archive into a temporary folder and checks it before it changes
anything: it opens, its manifest is a Kvalis one, every member matches its checksum, the
database vendor is the target's, every migration it was made with exists in this code, and the
target database is empty. A database restored without its files would verify certificates but
answer 404 for every expense scan, so the two always travel together.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kvalis.backup.database import (
    database_dump,
    database_dump_check,
    database_restore,
    dump_name,
)
from kvalis.backup.errors import BackupError

FORMAT = "kvalis-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    media_files: int


@dataclass(frozen=True)
class CheckedArchive:
    """An archive that passed every check, its members extracted to a temporary folder."""

    manifest: dict
    dump: Path
    media: dict[str, Path]  # the path under MEDIA_ROOT -> the extracted file


@dataclass(frozen=True)
class RestoreSummary:
    created_at: str
    kvalis_version: str
    media_files: int
    pending_migrations: int


# --- backup -------------------------------------------------------------------------------------


def kvalis_version() -> str:
    try:
        return version("kvalis")
    except PackageNotFoundError:
        return "unknown"


def latest_migrations() -> dict[str, str]:
    """The latest migration applied to the database, per app (by name: Django numbers them)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def backup_default_name() -> str:
    return f"kvalis-backup-{timezone.localtime():%Y-%m-%d-%H%M%S}.tar.gz"


def backup_create(*, output: Path) -> BackupSummary:
    """Write one archive of the database and MEDIA_ROOT to `output` (a new file).

    The archive is written beside `output` under a temporary name and renamed when complete,
    so that a backup cut short never looks like a good one. It holds personal data: only its
    owner may read it.
    """
    if output.exists():
        raise BackupError(f"{output} exists already: choose another name or remove it first.")
    if not output.parent.is_dir():
        raise BackupError(f"There is no folder {output.parent}.")
    vendor = connection.vendor
    database_member = dump_name(vendor)
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="kvalis-backup-") as workdir:
        dump = Path(workdir) / database_member
        migrations = latest_migrations()
        database_dump(dump)
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                members = {database_member: _add_file(archive, dump, database_member)}
                media = media_files()
                for path, relative in media:
                    try:
                        members[MEDIA_PREFIX + relative] = _add_file(
                            archive, path, MEDIA_PREFIX + relative
                        )
                    except FileNotFoundError:
                        continue  # deleted since the listing: it is gone from the site too
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "kvalis_version": kvalis_version(),
                    "database_vendor": vendor,
                    "migrations": migrations,
                    "created_at": timezone.now().isoformat(timespec="seconds"),
                    "members": members,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(path=output, size=output.stat().st_size, media_files=len(members) - 1)


def media_files() -> list[tuple[Path, str]]:
    """Every file under MEDIA_ROOT with its path relative to it ('a/b.pdf'), sorted."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for folder, _folders, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(root).as_posix()))
    return sorted(found, key=lambda item: item[1])


class _HashingReader:
    """Hands the file to tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": status.st_size}


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, _BytesReader(content))


class _BytesReader:
    def __init__(self, content: bytes) -> None:
        self.content = content
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size < 0 else self.offset + size
        chunk = self.content[self.offset : end]
        self.offset += len(chunk)
        return chunk


# --- checking an archive ------------------------------------------------------------------------


def archive_check(*, archive: Path, workdir: Path) -> CheckedArchive:
    """Every check a restore makes before it changes anything, except the target's emptiness.

    Raises BackupError with the reason; changes nothing but `workdir`.
    """
    manifest_bytes, extracted, digests = _extract(archive, workdir)
    manifest = _parse_manifest(manifest_bytes)
    listed = manifest["members"]
    for name in sorted(extracted):
        if name not in listed:
            raise BackupError(f"The archive holds {name}, which its manifest does not list.")
    for name, expected in sorted(listed.items()):
        if name not in extracted:
            raise BackupError(f"The archive lacks {name}, which its manifest lists.")
        if digests[name] != expected["sha256"]:
            raise BackupError(f"The archive is damaged: {name} does not match its checksum.")
    vendor = manifest["database_vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The archive holds a {vendor} database, but this Kvalis uses {connection.vendor}: "
            f"restore it into a {vendor} database (set DATABASE_URL)."
        )
    _check_migrations_known(manifest["migrations"])
    dump = extracted[dump_name(vendor)]
    database_dump_check(dump, vendor)
    media = {
        name.removeprefix(MEDIA_PREFIX): path
        for name, path in extracted.items()
        if name.startswith(MEDIA_PREFIX)
    }
    return CheckedArchive(manifest=manifest, dump=dump, media=media)


def _extract(archive: Path, workdir: Path) -> tuple[bytes | None, dict[str, Path], dict[str, str]]:
    """Read every member into `workdir` (under a number, never under its own name)."""
    manifest_bytes = None
    extracted: dict[str, Path] = {}
    digests: dict[str, str] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for number, member in enumerate(tar):
                name = _member_name(member)
                if name in extracted or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive holds {name} twice: it is not a Kvalis backup.")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                target = workdir / f"{number:07d}"
                with open(target, "wb") as handle:
                    digests[name] = _copy_hashing(source, handle)
                extracted[name] = target
            # tarfile stops quietly at a header it cannot read; reading the gzip stream to its
            # end makes gzip check its CRC, which catches damage anywhere in the file.
            while tar.fileobj.read(CHUNK):
                pass
    except FileNotFoundError:
        raise BackupError(f"There is no file {archive}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"The archive is damaged or not a .tar.gz file: {error}.") from None
    return manifest_bytes, extracted, digests


def _member_name(member: tarfile.TarInfo) -> str:
    path = PurePosixPath(member.name)
    if not member.isfile() or path.is_absolute() or ".." in path.parts or "\\" in member.name:
        raise BackupError(
            f"The archive holds {member.name!r}, which no Kvalis backup has (only plain files "
            "with relative names): it is not a Kvalis backup."
        )
    return path.as_posix()


def _copy_hashing(source, target) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


def _parse_manifest(content: bytes | None) -> dict:
    if content is None:
        raise BackupError("This is not a Kvalis backup: the archive has no manifest.json.")
    try:
        manifest = json.loads(content)
    except ValueError:
        raise BackupError("The archive's manifest.json is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Kvalis backup: its manifest.json is of another format.")
    format_version = manifest.get("format_version")
    if not isinstance(format_version, int) or format_version < 1:
        raise BackupError("The archive's manifest.json has no valid format_version.")
    if format_version > FORMAT_VERSION:
        raise BackupError(
            f"The archive is in backup format {format_version}, newer than this Kvalis reads "
            f"({FORMAT_VERSION}): upgrade Kvalis, then restore."
        )
    vendor = manifest.get("database_vendor")
    migrations = manifest.get("migrations")
    members = manifest.get("members")
    if not isinstance(vendor, str) or vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"The archive's manifest names an unknown database vendor: {vendor!r}.")
    if not isinstance(migrations, dict) or not all(
        isinstance(app, str) and isinstance(name, str) for app, name in migrations.items()
    ):
        raise BackupError("The archive's manifest.json lists no migrations.")
    if not isinstance(members, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        for entry in members.values()
    ):
        raise BackupError("The archive's manifest.json lists no checksums.")
    if dump_name(vendor) not in members:
        raise BackupError("The archive has no database dump.")
    for name in members:
        if name != dump_name(vendor) and not name.startswith(MEDIA_PREFIX):
            raise BackupError(f"The archive's manifest lists {name}, which no Kvalis backup has.")
    return manifest


def _check_migrations_known(migrations: dict[str, str]) -> None:
    """Every migration the database was at must exist here: a newer Kvalis's data would not fit
    this code's tables (an older one's is fine: `kvalis migrate` brings it up to date)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app, name in sorted(migrations.items()):
        if app not in loader.migrated_apps:
            raise BackupError(
                f"The archive has migrations of the app {app!r}, which this Kvalis does not "
                "have: it comes from another or a newer version."
            )
        if (app, name) not in loader.graph.nodes:
            raise BackupError(
                f"The archive comes from a newer Kvalis: this version does not have the "
                f"migration {app}.{name}. Upgrade Kvalis, then restore."
            )


# --- restore ------------------------------------------------------------------------------------


def filled_kvalis_tables() -> list[str]:
    """Kvalis's tables in the default database that hold at least one row."""
    existing = set(connection.introspection.table_names())
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config.name.startswith("kvalis.")
            and model._meta.db_table in existing
        }
    )
    filled = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                filled.append(table)
    return filled


def _check_target(manifest: dict) -> None:
    filled = filled_kvalis_tables()
    if filled:
        shown = ", ".join(filled[:5]) + (", ..." if len(filled) > 5 else "")
        raise BackupError(
            f"The target database is not empty ({shown} have rows): nothing was changed. "
            "Restore into an empty database: a new SQLite file or a new PostgreSQL database "
            "(createdb), migrated or not."
        )
    if connection.vendor == "postgresql":
        # pg_restore --clean replaces what the dump holds and leaves the rest: tables of
        # migrations the archive lacks would stay and trip `kvalis migrate` afterwards. (SQLite
        # is replaced whole, so the same target is fine there.)
        here = latest_migrations()
        archived = manifest["migrations"]
        differing = [app for app in sorted(here) if here[app] != archived.get(app)]
        if differing:
            shown = "; ".join(
                f"{app}: {here[app]} here, {archived.get(app) or 'none'} in the archive"
                for app in differing[:3]
            )
            raise BackupError(
                f"The target database is migrated differently from the archive ({shown}): "
                "nothing was changed. Restore into a new PostgreSQL database (createdb)."
            )


def backup_restore(*, archive: Path) -> RestoreSummary:
    """Restore an archive into the (empty) default database and MEDIA_ROOT."""
    from django.contrib.contenttypes.models import ContentType

    with tempfile.TemporaryDirectory(prefix="kvalis-restore-") as workdir:
        checked = archive_check(archive=archive, workdir=Path(workdir))
        _check_target(checked.manifest)
        database_restore(checked.dump)
        # Content types were cached with the ids of the database that is now gone.
        ContentType.objects.clear_cache()
        media_root = Path(settings.MEDIA_ROOT)
        for relative, extracted in sorted(checked.media.items()):
            target = media_root.joinpath(*PurePosixPath(relative).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(extracted, target)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return RestoreSummary(
        created_at=checked.manifest.get("created_at", ""),
        kvalis_version=checked.manifest.get("kvalis_version", ""),
        media_files=len(checked.media),
        pending_migrations=len(pending),
    )


def backup_check(*, archive: Path) -> dict:
    """Check an archive (all a restore checks but the target); returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="kvalis-restore-") as workdir:
        return archive_check(archive=archive, workdir=Path(workdir)).manifest
