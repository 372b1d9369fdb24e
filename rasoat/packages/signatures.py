"""Checking the digital signatures of a PDF with pyHanko, offline, against the trusted certificates.

For each signature: the signer's name and organisation (from the certificate), the signing time the
signer declared, whether the signed bytes are unchanged and nothing but signature upkeep was added
after signing (`intact`), whether the certificate was within its validity at signing time
(`expired`), and whether it chains to a root the administrator trusts (`trusted`). The validation
context never fetches anything (no OCSP, CRL or AIA): revocation is "soft-fail" on what the PDF holds.

The verdict is a plain dict stored with the attachment; `status` names its badge:
valid · untrusted · modified · expired · unsigned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rasoat.packages.models import TrustedCertificate

logger = logging.getLogger(__name__)

VALID, UNTRUSTED, MODIFIED, EXPIRED, UNSIGNED = "valid", "untrusted", "modified", "expired", "unsigned"

# The badges' words, the same in the page, the zip manifest and the command's output.
LABELS = {
    VALID: gettext_lazy("valid"),
    UNTRUSTED: gettext_lazy("trusted source not established"),
    MODIFIED: gettext_lazy("changed after signing"),
    EXPIRED: gettext_lazy("certificate expired at signing time"),
    UNSIGNED: gettext_lazy("scan, no digital signature"),
}


class UnreadablePdf(Exception):
    """pyHanko could not read the file's structure."""


def _trust() -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    roots, intermediates = [], []
    for row in TrustedCertificate.objects.only("der", "is_root"):
        cert = asn1_x509.Certificate.load(bytes(row.der))
        (roots if row.is_root else intermediates).append(cert)
    return roots, intermediates


def _name_part(cert: asn1_x509.Certificate, field: str) -> str:
    value = cert.subject.native.get(field, "")
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def _signature_status(intact: bool, trusted: bool, expired: bool) -> str:
    if not intact:
        return MODIFIED
    if expired:
        return EXPIRED
    return VALID if trusted else UNTRUSTED


def _check_one(embedded, roots, intermediates) -> dict:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    cert = embedded.signer_cert
    claimed = embedded.self_reported_timestamp
    moment = claimed or timezone.now()
    # Without any trusted root the path can never be built; an empty list must not fall back to the
    # operating system's trust store (pyHanko's default when trust_roots is None).
    context = ValidationContext(
        trust_roots=roots,
        other_certs=intermediates,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # pyHanko raises many kinds on malformed signatures
        logger.warning("signature could not be validated", exc_info=True)
        intact, trusted = False, False
    else:
        unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES
        )
        intact = bool(status.intact and status.valid and unchanged)
        trusted = bool(status.trusted)
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    expired = not (not_before <= moment <= not_after)
    return {
        "signer": _name_part(cert, "common_name"),
        "organisation": _name_part(cert, "organization_name"),
        "signed_at": claimed.isoformat() if claimed else None,
        "intact": intact,
        "trusted": trusted and not expired,
        "expired": expired,
        "status": _signature_status(intact, trusted, expired),
        "certificate_valid": [not_before.isoformat(), not_after.isoformat()],
        "issuer": cert.issuer.human_friendly,
    }


def verify_pdf(data: bytes) -> dict:
    """The verdict of every signature in `data` (already through the gate); raises UnreadablePdf.

    pyHanko's synchronous API runs its own event loop; where one is already running in this thread
    (an async server, a browser test), the check runs in a worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _verify(data)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_verify, data).result()


def _verify(data: bytes) -> dict:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
        raise UnreadablePdf(str(error)) from None
    roots, intermediates = _trust()
    signatures = [_check_one(sig, roots, intermediates) for sig in embedded]
    if not signatures:
        status = UNSIGNED
    else:
        # The package is as good as its weakest signature.
        order = [MODIFIED, EXPIRED, UNTRUSTED, VALID]
        status = min((s["status"] for s in signatures), key=order.index)
    return {
        "status": status,
        "signatures": signatures,
        "checked_at": dt.datetime.now(dt.UTC).isoformat(),
        "trusted_roots": len(roots),
    }


def label(status: str) -> str:
    return str(LABELS.get(status, "")) if status else _("not a PDF: no signature check")
