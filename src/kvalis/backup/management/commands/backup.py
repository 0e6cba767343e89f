"""`kvalis backup [--output PATH]`: the database and MEDIA_ROOT in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kvalis.backup.errors import BackupError
from kvalis.backup.services import backup_create, backup_default_name


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) of the database, every file under MEDIA_ROOT and a manifest "
        "with checksums. By default into var/backups/; restore it with `kvalis restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="The archive to write, or a folder to write it into under a dated name.",
        )

    def handle(self, *args, output: str | None = None, **options):
        if output is None:
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / backup_default_name()
        elif Path(output).is_dir():
            path = Path(output) / backup_default_name()
        else:
            path = Path(output)
        try:
            summary = backup_create(output=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {summary.path} ({summary.size} bytes, the database and "
                f"{_files(summary.media_files)})."
            )
        )


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"
