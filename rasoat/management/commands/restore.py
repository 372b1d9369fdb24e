"""`rasoat restore FILE`: restore a `rasoat backup` archive into an empty installation.

The archive is checked against its manifest before anything is touched (and refused when altered,
damaged or holding unsafe paths); a database holding data or a MEDIA_ROOT holding files is refused
unless --force. After restoring, the row count of every table and the checksum of every file are
compared with the manifest: any difference is listed and the command exits 1. `--verify-only`
checks the archive and restores nothing. Stop `rasoat serve` and `rasoat worker` first.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.backup.archive import BackupError
from rasoat.backup.services import check_archive, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty installation and check the result against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by `rasoat backup`.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the data of an installation that is not empty."
        )
        parser.add_argument("--verify-only", action="store_true", help="Check the archive; restore nothing.")

    def handle(self, *args, file, force, verify_only, **options):
        path = Path(file)
        try:
            if verify_only:
                manifest = check_archive(path)
                self.stdout.write(
                    f"The archive is complete: {len(manifest.database['tables'])} tables, "
                    f"{len(manifest.media_files())} files, made {manifest.data.get('created_at')}."
                )
                return
            result = restore_backup(path, force=force, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if result.differences:
            raise CommandError(
                "the restored installation differs from the backup:\n  " + "\n  ".join(result.differences)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.tables} tables ({result.rows} rows) and {result.files} files; "
                "row counts and checksums match the backup."
            )
        )
        if result.pending_migrations:
            self.stdout.write(
                f"This rasoat has {len(result.pending_migrations)} migration(s) newer than the backup: "
                "run `rasoat migrate` before starting the service."
            )
