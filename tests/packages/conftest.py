"""Fixtures of the package tests: a test CA, its signers, and a campaign that requires the report."""

import pytest

from rasoat.campaigns.models import Assignment
from rasoat.packages.models import PackageSetting, Requirement
from tests.packages import pdfs


@pytest.fixture(scope="session")
def ca() -> pdfs.Identity:
    return pdfs.make_ca()


@pytest.fixture(scope="session")
def signer(ca) -> pdfs.Identity:
    return pdfs.make_signer(ca)


@pytest.fixture(scope="session")
def signed_pdf(ca, signer) -> bytes:
    return pdfs.sign_pdf(pdfs.tiny_pdf(), signer, ca)


@pytest.fixture
def trusted(ca, db):
    from rasoat.packages.trust import add_certificates

    return add_certificates(ca.pem)


@pytest.fixture
def required(campaign):
    PackageSetting.objects.create(campaign=campaign, requirement=Requirement.REQUIRED)
    return campaign


@pytest.fixture
def assignment(campaign) -> Assignment:
    return Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
