"""The administrator's pages: trusted certificates and the campaign's setting, both audited."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rasoat.audit.models import AuditEntry
from rasoat.packages import services
from rasoat.packages.models import Attachment, PackageSetting, Requirement, TrustedCertificate
from tests.conftest import client_for
from tests.inventory.test_workflow import assignment_of

pytestmark = pytest.mark.django_db


def test_admin_adds_and_removes_a_trusted_root(personas, ca, signer):
    client = client_for(personas["admin"])
    response = client.post("/ky-so/tin-cay/", {"file": SimpleUploadedFile("root.pem", ca.pem)})
    assert response.status_code == 302
    row = TrustedCertificate.objects.get()
    assert row.is_root and "Test Root CA Lai Chau" in row.subject
    assert AuditEntry.objects.filter(action="trust.certificate_added").exists()
    assert "Test Root CA Lai Chau" in client.get("/ky-so/tin-cay/").content.decode()
    # A signer's own certificate is not a trust anchor; garbage is not a certificate.
    for name, data in (("signer.pem", signer.pem), ("x.pem", b"not a certificate")):
        refused = client.post("/ky-so/tin-cay/", {"file": SimpleUploadedFile(name, data)})
        assert refused.status_code == 400
        assert "không" in refused.content.decode()
    client.post("/ky-so/tin-cay/", {"remove": str(row.pk)})
    assert not TrustedCertificate.objects.exists()
    assert AuditEntry.objects.filter(action="trust.certificate_removed").exists()


def test_admin_sets_the_campaign_requirement(personas, campaign):
    client = client_for(personas["admin"])
    response = client.post(f"/dot/{campaign.code}/ho-so/cau-hinh/", {"requirement": "optional"})
    assert response.status_code == 302
    setting = PackageSetting.objects.get(campaign=campaign)
    assert setting.requirement == Requirement.OPTIONAL and setting.allow_unsigned is False
    assert AuditEntry.objects.filter(action="package.setting_changed").exists()


def test_an_office_zip_bomb_is_refused(campaign, settings):
    settings.PACKAGE_MAX_INFLATED_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    unit = assignment_of(campaign, "X.03637.UB").unit
    result = services.attach(campaign, unit, "so-do.docx", buffer.getvalue(), kind="other")
    assert result.attachment is None and "giải nén" in result.errors[0]
    assert not Attachment.objects.exists()


def test_the_board_links_the_package_pages_by_permission(clients, campaign):
    admin = clients["admin"].get(f"/dot/{campaign.code}/").content.decode()
    assert 'data-testid="package-setting-link"' in admin and 'data-testid="package-zip-link"' in admin
    reviewer = clients["reviewer"].get(f"/dot/{campaign.code}/").content.decode()
    assert (
        'data-testid="package-zip-link"' in reviewer and 'data-testid="package-setting-link"' not in reviewer
    )
    viewer = clients["viewer_muong_kim"].get(f"/dot/{campaign.code}/").content.decode()
    assert 'data-testid="package-links"' not in viewer
