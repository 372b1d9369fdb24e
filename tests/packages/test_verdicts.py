"""The signature verdicts of real PDFs made in the test, and the files refused at the gate."""

import time
import zlib

import pytest

from rasoat.audit.models import AuditEntry
from rasoat.packages import services
from rasoat.packages.models import Attachment
from tests.packages import pdfs

pytestmark = pytest.mark.django_db


def _attach(campaign, unit, name, data, **kwargs):
    return services.attach(campaign, unit, name, data, **kwargs)


def test_signed_by_a_trusted_ca_is_valid(campaign, assignment, signed_pdf, trusted):
    result = _attach(campaign, assignment.unit, "bao-cao.pdf", signed_pdf)
    assert result.errors == []
    stored = result.attachment
    assert stored.status == "valid"
    [signature] = result.as_json()["signatures"]
    assert signature["signer"] == "Nguyễn Văn An"
    assert signature["organisation"] == "UBND xã Mường Kim"
    assert signature["intact"] is True and signature["trusted"] is True and signature["expired"] is False
    assert signature["signed_at"]
    assert stored.file.read() == signed_pdf
    assert AuditEntry.objects.filter(action="package.verdict", object_id=str(stored.pk)).exists()


def test_the_verdict_is_stored_not_recomputed(campaign, assignment, signed_pdf, trusted):
    from rasoat.packages.models import TrustedCertificate

    stored = _attach(campaign, assignment.unit, "bao-cao.pdf", signed_pdf).attachment
    TrustedCertificate.objects.all().delete()
    stored.refresh_from_db()
    assert stored.status == "valid"


def test_root_not_trusted_is_untrusted(campaign, assignment, signed_pdf):
    result = _attach(campaign, assignment.unit, "bao-cao.pdf", signed_pdf)
    assert result.attachment.status == "untrusted"
    [signature] = result.verdict["signatures"]
    assert signature["intact"] is True and signature["trusted"] is False


def test_changed_after_signing_is_modified(campaign, assignment, signed_pdf, trusted):
    result = _attach(campaign, assignment.unit, "bao-cao.pdf", pdfs.tamper(signed_pdf))
    assert result.attachment.status == "modified"
    assert result.verdict["signatures"][0]["intact"] is False


def test_expired_certificate_is_stated(campaign, assignment, ca, trusted):
    old = pdfs.make_signer(ca, "Trần Thị Bình", expired=True)
    result = _attach(campaign, assignment.unit, "bao-cao.pdf", pdfs.sign_pdf(pdfs.tiny_pdf(), old, ca))
    assert result.attachment.status == "expired"
    signature = result.verdict["signatures"][0]
    assert signature["expired"] is True and signature["trusted"] is False
    assert signature["signer"] == "Trần Thị Bình"


def test_unsigned_pdf_is_a_scan_when_allowed(campaign, assignment):
    result = _attach(campaign, assignment.unit, "scan.pdf", pdfs.tiny_pdf())
    assert result.attachment.status == "unsigned"
    assert result.as_json()["signatures"] == []


def test_unsigned_pdf_refused_when_the_campaign_asks_for_a_signature(required, assignment):
    from rasoat.packages.models import PackageSetting

    PackageSetting.objects.filter(campaign=required).update(allow_unsigned=False)
    result = _attach(required, assignment.unit, "scan.pdf", pdfs.tiny_pdf())
    assert result.attachment is None and "chữ ký số" in result.errors[0]
    assert not Attachment.objects.exists()


def _bomb_with_huge_stream() -> bytes:
    body = zlib.compress(b"\0" * (60 * 1024 * 1024), 9)  # ~60 kB that inflate to 60 MB
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    return pdfs.tiny_pdf().replace(b"%%EOF", b"") + b"6 0 obj\n" + stream + b"\nendobj\n%%EOF\n"


def _deeply_nested() -> bytes:
    return (
        pdfs.tiny_pdf().replace(b"%%EOF", b"")
        + b"6 0 obj\n"
        + b"[" * 5000
        + b"]" * 5000
        + b"\nendobj\n%%EOF\n"
    )


def _object_stream_bomb() -> bytes:
    obj = b"6 0 obj\n<< /Type /ObjStm /N 50000000 /First 10 /Length 0 >>\nstream\n\nendstream\nendobj\n"
    return pdfs.tiny_pdf().replace(b"%%EOF", b"") + obj + b"%%EOF\n"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (lambda: _bomb_with_huge_stream(), "giải nén"),
        (lambda: _deeply_nested(), "lồng"),
        (lambda: _object_stream_bomb(), "đối tượng"),
        (lambda: b"PK\x03\x04 not a pdf at all", "không phải là tệp PDF"),
        (lambda: pdfs.tiny_pdf()[:200], "không đầy đủ"),
    ],
    ids=["flate-bomb", "deep-nesting", "object-streams", "not-a-pdf", "truncated"],
)
def test_hostile_pdfs_are_refused_quickly_and_nothing_is_stored(campaign, assignment, data, words, settings):
    settings.PACKAGE_PDF_MAX_INFLATED_BYTES = 20 * 1024 * 1024
    content = data()
    started = time.monotonic()
    result = _attach(campaign, assignment.unit, "bao-cao.pdf", content)
    assert time.monotonic() - started < 10
    assert result.attachment is None
    assert words in result.errors[0], result.errors
    assert "bao-cao.pdf" in result.errors[0]
    assert not Attachment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="package.").exists()


def test_a_new_report_never_overwrites_the_previous_one(campaign, assignment, signed_pdf, trusted):
    first = _attach(campaign, assignment.unit, "v1.pdf", pdfs.tiny_pdf()).attachment
    second = _attach(campaign, assignment.unit, "v2.pdf", signed_pdf)
    first.refresh_from_db()
    assert second.replaced == first and first.superseded_by == second.attachment
    assert first.file.read() == pdfs.tiny_pdf()
    assert services.current_report(campaign, assignment.unit) == second.attachment
    assert AuditEntry.objects.filter(action="package.replaced").count() == 1


def test_images_and_office_files_are_checked_by_content(campaign, assignment):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    assert (
        _attach(campaign, assignment.unit, "so-do.png", png, kind="other").attachment.content_type
        == "image/png"
    )
    refused = _attach(campaign, assignment.unit, "so-do.png", b"MZ\x90\0 an exe", kind="other")
    assert refused.attachment is None and "so-do.png" in refused.errors[0]
    # A picture is not a report.
    assert _attach(campaign, assignment.unit, "bao-cao.pdf", png).attachment is None


def test_count_and_size_limits(campaign, assignment, settings):
    settings.PACKAGE_MAX_FILES = 1
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    assert _attach(campaign, assignment.unit, "a.png", png, kind="other").attachment is not None
    assert _attach(campaign, assignment.unit, "b.png", png, kind="other").errors
    settings.PACKAGE_MAX_BYTES = 50
    assert "quá lớn" in _attach(campaign, assignment.unit, "scan.pdf", pdfs.tiny_pdf()).errors[0]


def test_a_large_ordinary_pdf_passes_the_scan_quickly(campaign, assignment):
    """Compressed streams that end normally (zlib then keeps returning nothing) and a big binary
    stream: the scan stops at each stream's end and reads a 10 MB file in well under a second."""
    import os

    from rasoat.packages import pdfscan

    picture = zlib.compress(os.urandom(4 * 1024 * 1024))
    scan = os.urandom(6 * 1024 * 1024)
    extra = b"6 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(picture) + picture
    extra += b"\nendstream\nendobj\n7 0 obj\n<< /Length %d /Filter /DCTDecode >>\nstream\n" % len(scan) + scan
    extra += b"\nendstream\nendobj\n"
    data = pdfs.tiny_pdf().replace(b"%%EOF", b"") + extra + b"%%EOF\n"
    started = time.monotonic()
    pdfscan.check_pdf(data, "bao-cao.pdf")
    assert time.monotonic() - started < 3
