"""`rasoat backup -o FILE` or `rasoat backup --dir DIR [--keep N]`: one archive of the whole installation.

The archive holds the database (pg_dump on PostgreSQL, SQLite's online backup API on SQLite), every
file under MEDIA_ROOT and a manifest with row counts and checksums; it can be taken while the system
runs. `--dir` names the archive rasoat-YYYYMMDD-HHMMSS.tar.gz and, with `--keep N`, deletes the
oldest such archives beyond the N newest (for a daily timer: `--keep 30` keeps 30 days).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.backup.archive import BackupError
from rasoat.backup.services import backup_to_folder, create_backup


class Command(BaseCommand):
    help = "Back up the database and the stored files into one archive (.tar.gz or .tar)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="The archive to write, e.g. /srv/backup/rasoat.tar.gz.")
        target.add_argument("--dir", help="A folder for dated archives (rasoat-YYYYMMDD-HHMMSS.tar.gz).")
        parser.add_argument("--keep", type=int, help="With --dir: keep only this many newest archives.")

    def handle(self, *args, output, dir, keep, **options):
        if keep is not None and not dir:
            raise CommandError("--keep goes with --dir")
        try:
            result = backup_to_folder(Path(dir), keep) if dir else create_backup(Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from None
        for relative in result.skipped:
            self.stderr.write(f"not backed up (a link, an odd name or deleted meanwhile): {relative}")
        self.stdout.write(
            f"Backed up {result.tables} tables ({result.rows} rows) and {result.files} files "
            f"to {result.path} ({result.bytes} bytes)."
        )
        for path in result.pruned:
            self.stdout.write(f"Deleted the old backup {path}")
