"""`kvalis restore ARCHIVE [--check]`: a `kvalis backup` archive into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvalis.backup.errors import BackupError
from kvalis.backup.services import backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `kvalis backup` into an empty database and MEDIA_ROOT. "
        "The archive is checked first (manifest, checksums, database vendor, migrations) and "
        "the database must be empty: a refusal changes nothing. Stop the application first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz file written by `kvalis backup`.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive against this Kvalis; change nothing.",
        )

    def handle(self, *args, archive: str, check: bool = False, **options):
        try:
            if check:
                self._check(Path(archive))
            else:
                self._restore(Path(archive))
        except BackupError as error:
            raise CommandError(str(error)) from None

    def _check(self, archive: Path) -> None:
        manifest = backup_check(archive=archive)
        files = _files(len(manifest["members"]) - 1)
        self.stdout.write(
            self.style.SUCCESS(
                f"The archive is sound: made {manifest['created_at']} by Kvalis "
                f"{manifest['kvalis_version']}, the database and {files}. Nothing was changed."
            )
        )

    def _restore(self, archive: Path) -> None:
        summary = backup_restore(archive=archive)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup made {summary.created_at} by Kvalis "
                f"{summary.kvalis_version}: the database and {_files(summary.media_files)}."
            )
        )
        if summary.pending_migrations:
            count = summary.pending_migrations
            migrations = "1 migration" if count == 1 else f"{count} migrations"
            self.stdout.write(
                f"The backup predates {migrations} of this version: run `kvalis migrate` now."
            )


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"
