"""The certificates the province trusts: added by an administrator (page or `rasoat trust add`)."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rasoat.audit.services import log
from rasoat.packages.models import TrustedCertificate

MAX_CERT_BYTES = 256 * 1024


class CertificateRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _load(data: bytes) -> list[x509.Certificate]:
    if len(data) > MAX_CERT_BYTES:
        raise CertificateRejected(_("The certificate file is too large."))
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise CertificateRejected(
            _("The file is not an X.509 certificate (PEM or DER): nothing was added.")
        ) from None


def add_certificates(data: bytes, actor=None, *, address: str | None = None) -> list[TrustedCertificate]:
    """Add every certificate of a PEM (one or several) or DER file; ones already trusted are skipped.
    Only CA certificates are accepted: trusting a signer's own certificate would trust nothing else."""
    certs = _load(data)
    added = []
    with transaction.atomic():
        for cert in certs:
            try:
                is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                raise CertificateRejected(
                    _("“%(subject)s” is not a certification authority's certificate: nothing was added.")
                    % {"subject": cert.subject.rfc4514_string()}
                )
            der = cert.public_bytes(serialization.Encoding.DER)
            fingerprint = hashlib.sha256(der).hexdigest()
            if TrustedCertificate.objects.filter(fingerprint=fingerprint).exists():
                continue
            try:
                with transaction.atomic():
                    row = TrustedCertificate.objects.create(
                        subject=cert.subject.rfc4514_string()[:500],
                        issuer=cert.issuer.rfc4514_string()[:500],
                        fingerprint=fingerprint,
                        is_root=cert.subject == cert.issuer,
                        not_before=cert.not_valid_before_utc,
                        not_after=cert.not_valid_after_utc,
                        der=der,
                        added_by=actor if actor is not None and actor.is_authenticated else None,
                    )
            except IntegrityError:
                continue
            log(
                actor,
                "trust.certificate_added",
                row,
                {"subject": [None, row.subject], "fingerprint": [None, fingerprint]},
                address=address,
            )
            added.append(row)
    return added


def remove_certificate(row: TrustedCertificate, actor=None, *, address: str | None = None) -> None:
    """Stop trusting a certificate; verdicts already stored are kept as they were computed."""
    with transaction.atomic():
        log(actor, "trust.certificate_removed", row, {"subject": [row.subject, None]}, address=address)
        row.delete()


def is_current(row: TrustedCertificate) -> bool:
    return row.not_after >= dt.datetime.now(dt.UTC)
