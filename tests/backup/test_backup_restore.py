"""Backup and restore: `kvalis backup` writes the database and MEDIA_ROOT into one archive,
`kvalis restore` puts them back into an empty database, and what the site showed before it
shows again. A damaged or foreign archive, or a database that is not empty, is refused before
anything is changed, with the reason.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL);
the tests need a real database, not a transaction rolled back at the end.
"""

import hashlib
import io
import json
import shutil
import tarfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kvalis.accounts.models import User
from kvalis.budget.models import Expense
from kvalis.budget.services import expense_create
from kvalis.certificates.models import Certificate
from kvalis.certificates.services import certificate_render_pdfs
from kvalis.people.models import Person
from kvalis.reports import views as report_views
from kvalis.reports.models import ExportJob
from tests.factories import (
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    BudgetLineFactory,
    CertificateFactory,
    CertificateIssuerFactory,
    EnrolmentFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
OTHER_VENDOR = {"sqlite": "postgresql", "postgresql": "sqlite"}
DUMP_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def schema_rebuilt_afterwards():
    """A test that wipes the schema and fails before its restore leaves no tables behind for
    the next test: migrate them again."""
    yield
    if "django_migrations" not in connection.introspection.table_names():
        call_command("migrate", verbosity=0)


@pytest.fixture
def loaded(world, client, monkeypatch):
    """world.project with two certificates (their PDFs stored), two expenses with scans (PDF,
    PNG) and a participant list prepared in the background (a stored report file)."""
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    certificates = []
    for person in (world.person_a, world.person_b):
        enrolment = EnrolmentFactory(person=person, cohort=world.cohort)
        AttendanceFactory(enrolment=enrolment, session=world.session)
        certificates.append(CertificateFactory(enrolment=enrolment, issuer=issuer))
    certificate_render_pdfs(certificates=certificates)
    line = BudgetLineFactory(project=world.project, planned_amount=Decimal("2000.00"))
    for number, (name, content) in enumerate([("saskaita.pdf", PDF), ("kvitas.png", PNG)]):
        expense_create(
            project=world.project,
            actor=world.alice,
            line=line,
            date=date(2014, 5, 12),
            supplier="UAB „Pavyzdys“",
            document_number=f"PVZ-{number:04d}",
            amount=Decimal("350.50"),
            scan=SimpleUploadedFile(name, content),
        )
    monkeypatch.setattr(report_views, "DIRECT_MAX_ROWS", 0)  # prepared by the worker, stored
    client.force_login(world.alice)
    response = client.post(reverse("reports:export_participants_csv", args=[world.project.code]))
    assert response.status_code == 302
    assert ExportJob.objects.get().status == "done"
    return world


def observe(client, world) -> dict:
    """What the site shows of the loaded data: verification pages, PDFs, scans, the report."""
    client.force_login(User.objects.get(email=world.alice.email))
    code = world.project.code
    seen = {}
    for certificate in Certificate.objects.order_by("number"):
        page = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
        pdf = client.get(reverse("certificates:pdf", args=[code, certificate.pk]))
        seen[certificate.number] = {
            "verify": page.status_code,
            "shows number and holder": certificate.number in page.text
            and certificate.participant_name in page.text,
            "pdf stored": default_storage.exists(certificate.pdf.name),
            "pdf": pdf.content,
        }
    for expense in Expense.objects.order_by("document_number"):
        scan = client.get(reverse("budget:expense_scan", args=[code, expense.pk]))
        seen[expense.document_number] = (scan.status_code, b"".join(scan.streaming_content))
    seen["indicators"] = json.loads(client.get(reverse("reports:json", args=[code])).content)
    job = ExportJob.objects.get()
    download = client.get(reverse("reports:job_download", args=[code, job.pk]))
    seen["participant list"] = (download.status_code, b"".join(download.streaming_content))
    return seen


def wipe_database() -> None:
    """Leave a database with no tables at all, as a new one (createdb, a new SQLite file)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def backup(tmp_path, name="kvalis.tar.gz") -> Path:
    archive = tmp_path / name
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def restore(archive: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    return out.getvalue()


def test_backup_wipe_restore_keeps_certificates_scans_and_the_report(
    loaded, client, tmp_path, settings, media, schema_rebuilt_afterwards
):
    """The issue's drill: every certificate still verifies, every scan downloads byte for
    byte, the report's figures and its prepared file are unchanged."""
    before = observe(client, loaded)
    assert len(before) == 6  # two certificates, two scans, the indicators, the prepared file
    certificates = [value for value in before.values() if "verify" in value]
    assert len(certificates) == 2
    for certificate in certificates:
        assert certificate["verify"] == 200 and certificate["shows number and holder"]
        assert certificate["pdf stored"] and certificate["pdf"].startswith(b"%PDF")
    assert before["PVZ-0000"] == (200, PDF) and before["PVZ-0001"] == (200, PNG)
    assert before["indicators"]["participants_trained"] == 2
    archive = backup(tmp_path)

    wipe_database()
    shutil.rmtree(media)
    settings.MEDIA_ROOT = tmp_path / "new-media"  # a new machine's empty MEDIA_ROOT
    output = restore(archive)

    assert "Restored the backup" in output and "5 files" in output
    assert "kvalis migrate" not in output  # the archive is of this very version
    assert observe(client, loaded) == before


def test_restore_into_an_empty_migrated_database(loaded, client, tmp_path, settings):
    """A database created by `kvalis migrate` and never used counts as empty."""
    before = observe(client, loaded)
    archive = backup(tmp_path)
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "new-media"

    restore(archive)

    assert observe(client, loaded) == before


def test_restore_of_an_older_backup_says_to_migrate(world, tmp_path, schema_rebuilt_afterwards):
    """A backup made before this version's latest migration restores, and says what to run."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in _applied_migrations() if app == "certificates")
    recorder.record_unapplied("certificates", latest)  # as if made before that migration
    archive = backup(tmp_path)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["migrations"]["certificates"] < latest
    wipe_database()

    output = restore(archive)

    assert "The backup predates 1 migration of this version: run `kvalis migrate` now." in output
    assert Person.objects.filter(pk=world.person_a.pk).exists()
    recorder.record_applied("certificates", latest)  # the schema has it: put the record back


def test_archive_holds_the_dump_the_files_and_a_manifest_with_checksums(loaded, tmp_path, media):
    archive = backup(tmp_path)

    assert archive.stat().st_mode & 0o077 == 0  # personal data: its owner's eyes only
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        dump = tar.extractfile(DUMP_MEMBER[connection.vendor]).read()
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert len(stored) == 5  # two certificate PDFs, two scans, one prepared report
    assert sorted(names) == sorted(
        [DUMP_MEMBER[connection.vendor], "manifest.json"] + [f"media/{name}" for name in stored]
    )
    assert manifest["format"] == "kvalis-backup" and manifest["format_version"] == 1
    assert manifest["kvalis_version"] == "0.1.0"
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["migrations"]["budget"] == max(
        name for app, name in _applied_migrations() if app == "budget"
    )
    assert timezone.now() - datetime.fromisoformat(manifest["created_at"]) < timedelta(minutes=5)
    assert manifest["members"][DUMP_MEMBER[connection.vendor]]["sha256"] == (
        hashlib.sha256(dump).hexdigest()
    )
    scan = Expense.objects.get(document_number="PVZ-0001").scan.name
    assert manifest["members"][f"media/{scan}"] == {
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "size": len(PNG),
    }


def _applied_migrations():
    from django.db.migrations.recorder import MigrationRecorder

    return MigrationRecorder(connection).applied_migrations().keys()


def test_backup_refuses_to_overwrite_an_archive(world, tmp_path):
    archive = backup(tmp_path)
    first = archive.read_bytes()

    with pytest.raises(CommandError, match="exists already"):
        backup(tmp_path)

    assert archive.read_bytes() == first


def test_backup_into_a_folder_names_the_archive_by_date(world, tmp_path):
    folder = tmp_path / "nightly"
    folder.mkdir()

    call_command("backup", output=str(folder), stdout=io.StringIO())

    [archive] = folder.iterdir()
    assert archive.name.startswith(f"kvalis-backup-{timezone.localdate():%Y-%m-%d}-")
    assert archive.name.endswith(".tar.gz")


def test_check_reports_a_sound_archive_and_changes_nothing(world, tmp_path):
    archive = backup(tmp_path)
    out = io.StringIO()

    call_command("restore", str(archive), check=True, stdout=out)

    assert "The archive is sound" in out.getvalue()
    assert Person.objects.filter(pk=world.person_a.pk).exists()


# --- bad input: each refused before any change, with the reason -------------------------------


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` whose members (name -> bytes, in order) went through `change`."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {member.name: tar.extractfile(member).read() for member in tar}
    members = change(members)
    with tarfile.open(target, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def edit_manifest(edit):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        edit(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()
        return members

    return change


@pytest.fixture
def empty_target(world, tmp_path, settings):
    """An archive of the world, then a database emptied (as a freshly migrated one) with a
    marker row outside Kvalis's tables that a restore would replace, and an empty MEDIA_ROOT.

    Returns the archive and a function that asserts nothing was changed."""
    archive = backup(tmp_path, "good.tar.gz")
    call_command("flush", interactive=False, verbosity=0)
    Session.objects.create(session_key="marker", session_data="", expire_date=timezone.now())
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    def assert_unchanged():
        assert Session.objects.filter(session_key="marker").exists()
        assert not Person.objects.exists()
        assert not Path(settings.MEDIA_ROOT).exists()

    return archive, assert_unchanged


def refused(archive: Path, reason: str) -> None:
    with pytest.raises(CommandError) as error:
        restore(archive)
    assert reason in str(error.value)


def test_a_good_archive_restores_into_the_empty_target(empty_target):
    """The control for the refusals below: without the damage, the same target takes it."""
    archive, assert_unchanged = empty_target

    restore(archive)

    assert not Session.objects.filter(session_key="marker").exists()
    assert Person.objects.filter(last_name="Jonaitė").exists()


def test_a_flipped_byte_in_a_member_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target

    def flip(members):
        dump = bytearray(members[DUMP_MEMBER[connection.vendor]])
        dump[len(dump) // 2] ^= 0xFF
        members[DUMP_MEMBER[connection.vendor]] = bytes(dump)
        return members

    damaged = rewrite(archive, tmp_path / "damaged.tar.gz", flip)

    refused(
        damaged,
        f"The archive is damaged: {DUMP_MEMBER[connection.vendor]} does not match its checksum.",
    )
    assert_unchanged()


def test_a_flipped_byte_in_the_compressed_file_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    content = bytearray(archive.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged = tmp_path / "flipped.tar.gz"
    damaged.write_bytes(bytes(content))

    refused(damaged, "The archive is damaged")
    assert_unchanged()


def test_an_archive_cut_short_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    content = archive.read_bytes()
    for length in (len(content) - 8, len(content) // 2, 10):
        cut = tmp_path / f"cut-{length}.tar.gz"
        cut.write_bytes(content[:length])

        refused(cut, "The archive is damaged")
    assert_unchanged()


def test_a_file_that_is_no_archive_is_refused(empty_target, tmp_path):
    _archive, assert_unchanged = empty_target
    other = tmp_path / "notes.tar.gz"
    other.write_text("not an archive")

    refused(other, "The archive is damaged or not a .tar.gz file")
    refused(tmp_path / "missing.tar.gz", "There is no file")
    assert_unchanged()


def test_a_tar_without_manifest_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target

    def drop_manifest(members):
        del members["manifest.json"]
        return members

    foreign = rewrite(archive, tmp_path / "foreign.tar.gz", drop_manifest)

    refused(foreign, "This is not a Kvalis backup: the archive has no manifest.json.")
    assert_unchanged()


def test_a_manifest_of_another_format_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    foreign = rewrite(
        archive, tmp_path / "foreign.tar.gz", edit_manifest(lambda m: m.update(format="other"))
    )

    refused(foreign, "This is not a Kvalis backup: its manifest.json is of another format.")
    assert_unchanged()


def test_a_manifest_of_another_database_vendor_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    here, other = connection.vendor, OTHER_VENDOR[connection.vendor]

    def as_other_vendor(members):
        members[DUMP_MEMBER[other]] = members.pop(DUMP_MEMBER[here])

        def edit(manifest):
            manifest["database_vendor"] = other
            manifest["members"][DUMP_MEMBER[other]] = manifest["members"].pop(DUMP_MEMBER[here])

        return edit_manifest(edit)(members)

    foreign = rewrite(archive, tmp_path / "other-vendor.tar.gz", as_other_vendor)

    refused(foreign, f"The archive holds a {other} database, but this Kvalis uses {here}")
    assert_unchanged()


def test_a_newer_migration_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    newer = rewrite(
        archive,
        tmp_path / "newer.tar.gz",
        edit_manifest(lambda m: m["migrations"].update(budget="9999_from_the_future")),
    )

    refused(
        newer,
        "The archive comes from a newer Kvalis: this version does not have the migration "
        "budget.9999_from_the_future.",
    )
    assert_unchanged()


def test_an_app_this_version_lacks_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target
    other = rewrite(
        archive,
        tmp_path / "other-app.tar.gz",
        edit_manifest(lambda m: m["migrations"].update(payroll="0001_initial")),
    )

    refused(other, "The archive has migrations of the app 'payroll'")
    assert_unchanged()


def test_a_member_the_manifest_does_not_list_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target

    def add(members):
        return {"media/slipped-in.txt": b"hello", **members}

    extended = rewrite(archive, tmp_path / "extended.tar.gz", add)

    refused(extended, "The archive holds media/slipped-in.txt, which its manifest does not list.")
    assert_unchanged()


def test_a_member_outside_the_archive_folder_is_refused(empty_target, tmp_path):
    archive, assert_unchanged = empty_target

    def escape(members):
        return {"../escaped.txt": b"hello", **members}

    hostile = rewrite(archive, tmp_path / "hostile.tar.gz", escape)

    refused(hostile, "The archive holds '../escaped.txt', which no Kvalis backup has")
    assert not (tmp_path / "escaped.txt").exists()
    assert_unchanged()


def test_a_target_with_rows_is_refused(world, tmp_path, media):
    archive = backup(tmp_path)
    Person.objects.filter(pk=world.person_a.pk).update(last_name="Pakeista")
    media.mkdir(parents=True, exist_ok=True)

    refused(archive, "The target database is not empty (")
    refused(archive, "Restore into an empty database")

    assert Person.objects.get(pk=world.person_a.pk).last_name == "Pakeista"
    assert list(media.iterdir()) == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite is replaced whole, whatever its migrations"
)
def test_postgresql_target_migrated_further_than_the_archive_is_refused(empty_target, tmp_path):
    """pg_restore would leave the tables of later migrations behind, and `kvalis migrate`
    would then stumble over them."""
    from django.db.migrations.loader import MigrationLoader

    archive, assert_unchanged = empty_target
    names = sorted(name for app, name in MigrationLoader(None).graph.nodes if app == "certificates")
    assert len(names) > 1
    older = rewrite(
        archive,
        tmp_path / "older.tar.gz",
        edit_manifest(lambda m: m["migrations"].update(certificates=names[0])),
    )

    refused(
        older,
        f"The target database is migrated differently from the archive (certificates: "
        f"{names[-1]} here, {names[0]} in the archive)",
    )
    assert_unchanged()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL client tools only")
def test_the_postgresql_password_is_never_on_the_command_line():
    from kvalis.backup.database import _pg_connection_args, _pg_environment

    options = {arg.split("=")[0] for arg in _pg_connection_args()}

    assert options <= {"--no-password", "--host", "--port", "--username", "--dbname"}
    assert _pg_environment()["PGPASSWORD"] == connection.settings_dict["PASSWORD"]
