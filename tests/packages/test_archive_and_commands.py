"""The zip of a scope's packages, and the `rasoat attach` / `rasoat trust` commands."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from rasoat.packages import services
from rasoat.packages.models import Attachment, TrustedCertificate
from tests.conftest import client_for
from tests.inventory.test_workflow import assignment_of
from tests.packages import pdfs

pytestmark = pytest.mark.django_db


def _zip(client, url):
    response = client.get(url)
    assert response.status_code == 200, response
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_of_a_commune_holds_only_that_commune(campaign, personas, signed_pdf, trusted):
    for code in ("X.03637.UB", "X.03637.DU", "X.03445.UB"):
        unit = assignment_of(campaign, code).unit
        services.attach(campaign, unit, f"{code}.pdf", signed_pdf)
    muong_kim = assignment_of(campaign, "X.03637.UB").unit.commune
    archive = _zip(
        client_for(personas["reviewer"]), f"/dot/{campaign.code}/ho-so/tai-zip/?scope={muong_kim.code}"
    )
    members = [name for name in archive.namelist() if name != "manifest.csv"]
    assert sorted(m.split("/")[0] for m in members) == ["X.03637.DU", "X.03637.UB"]
    assert archive.read(members[0]) == signed_pdf
    rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã đơn vị", "Tên đơn vị", "Loại tệp", "Tệp trong zip"]
    assert {row[0] for row in rows[1:]} == {"X.03637.UB", "X.03637.DU"}
    assert all(row[5] == "Nguyễn Văn An" and row[8] == "hợp lệ" for row in rows[1:])
    # The Mường Kim editor's zip of everything it sees never holds Mường Tè.
    own = _zip(client_for(personas["editor_muong_kim"]), f"/dot/{campaign.code}/ho-so/tai-zip/")
    assert not any(name.startswith("X.03445") for name in own.namelist())


def test_trust_add_and_list(ca, tmp_path, capsys):
    path = tmp_path / "root.pem"
    path.write_bytes(ca.pem)
    call_command("trust", "add", str(path))
    call_command("trust", "add", str(path))
    assert TrustedCertificate.objects.count() == 1
    call_command("trust", "list")
    out = capsys.readouterr().out
    assert "Test Root CA Lai Chau" in out and "already trusted" in out


def test_trust_refuses_a_signer_certificate(signer, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "signer.pem"
    path.write_bytes(signer.pem)
    with pytest.raises(CommandError):
        call_command("trust", "add", str(path))
    assert not TrustedCertificate.objects.exists()


def test_attach_prints_json_and_stores(campaign, signed_pdf, trusted, tmp_path, capsys):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(signed_pdf)
    call_command("attach", campaign.code, "X.03637.UB", str(path), "--dry-run")
    output = json.loads(capsys.readouterr().out)
    assert output["file"] == "bao-cao.pdf" and output["kind"] == "report" and output["errors"] == []
    assert output["signatures"] == [
        {
            "signer": "Nguyễn Văn An",
            "organisation": "UBND xã Mường Kim",
            "signed_at": output["signatures"][0]["signed_at"],
            "intact": True,
            "trusted": True,
            "expired": False,
        }
    ]
    assert not Attachment.objects.exists()
    call_command("attach", campaign.code, "X.03637.UB", str(path))
    capsys.readouterr()
    assert Attachment.objects.count() == 1


def test_attach_exits_1_storing_nothing_on_errors(campaign, tmp_path, capsys):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(b"GIF89a not a pdf")
    with pytest.raises(SystemExit) as exited:
        call_command("attach", campaign.code, "X.03637.UB", str(path))
    assert exited.value.code == 1
    output = json.loads(capsys.readouterr().out)
    assert output["signatures"] == [] and output["errors"][0]["message"]
    assert not Attachment.objects.exists()
    path.write_bytes(pdfs.tiny_pdf())
    call_command("attach", campaign.code, "X.03637.UB", str(path), "--kind", "other")
    assert json.loads(capsys.readouterr().out)["signatures"] == []
