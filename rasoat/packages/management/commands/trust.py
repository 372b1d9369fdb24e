"""`rasoat trust add FILE.pem` / `rasoat trust list`: the certificates signatures are checked against."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.packages import trust
from rasoat.packages.models import TrustedCertificate


class Command(BaseCommand):
    help = "Manage the trusted root and intermediate certificates (the province's CA chain)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Trust the CA certificate(s) of a PEM or DER file.")
        add.add_argument("file", type=Path)
        sub.add_parser("list", help="List the trusted certificates.")

    def handle(self, *args, action: str, **options):
        if action == "add":
            path: Path = options["file"]
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            try:
                added = trust.add_certificates(data)
            except trust.CertificateRejected as rejected:
                raise CommandError(rejected.message) from None
            for row in added:
                self.stdout.write(f"added {'root' if row.is_root else 'intermediate'}: {row.subject}")
            if not added:
                self.stdout.write("already trusted: nothing added")
            return
        for row in TrustedCertificate.objects.all():
            kind = "root" if row.is_root else "intermediate"
            self.stdout.write(f"{row.fingerprint[:16]}  {kind:<12}  {row.not_after:%Y-%m-%d}  {row.subject}")
