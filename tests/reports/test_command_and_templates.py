"""`rasoat report`, the committed templates (rebuilt identically by the script), and who a heading names."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rasoat.orgs.models import Unit
from rasoat.reports import heading
from tests.reports.helpers import open_docx

ROOT = Path(__file__).resolve().parents[2]


# --- the command ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["unit", "RS2026", "X.03637.DU"], "ĐẢNG CỘNG SẢN VIỆT NAM"),
        (["commune", "RS2026", "X.03637"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (["province", "RS2026"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (["reminder", "RS2026"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (["request", "RS2026"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ],
)
def test_the_command_writes_the_report(campaign, tmp_path, capsys, args, title):
    target = tmp_path / "bao-cao.docx"
    call_command("report", *args, "-o", str(target))
    assert capsys.readouterr().out.strip() == str(target)
    document = open_docx(target.read_bytes())
    assert title in document.tables[0].cell(0, 1).text


def test_without_an_output_the_command_names_the_file_like_the_download(campaign, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("report", "unit", "RS2026", "X.03637.UB")
    assert (tmp_path / "bao-cao-RS2026-X.03637.UB.docx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["unit", "RS2026"], "needs the unit's code"),
        (["unit", "RS2026", "KHONGCO"], "is not assigned"),
        (["commune", "RS2026", "X.03637.UB"], "no commune"),
        (["province", "RS2026", "X.03637"], "takes no code"),
        (["province", "KHONGCO"], "no campaign"),
    ],
)
def test_the_command_refuses_bad_arguments(campaign, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, "-o", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.docx").exists()


def test_a_pdf_that_cannot_be_made_is_a_command_error(campaign, tmp_path, settings):
    settings.REPORTS_SOFFICE = shutil.which("false")
    with pytest.raises(CommandError, match="PDF"):
        call_command("report", "province", "RS2026", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


# --- the templates ---------------------------------------------------------------------------------------


def test_the_committed_templates_are_what_the_script_builds(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_report_templates.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = sorted(p.name for p in (ROOT / "rasoat" / "reports" / "docx").glob("*.docx"))
    assert committed == ["commune.docx", "province.docx", "reminder.docx", "request.docx", "unit.docx"]
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "rasoat" / "reports" / "docx" / name).read_bytes(), (
            f"{name} differs from scripts/build_report_templates.py: run the script"
        )


# --- headings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "places", "expected"),
    [
        ("Sở Khoa học và Công nghệ", [], "SKHCN"),
        ("Ủy ban nhân dân xã Mường Kim", ["Xã Mường Kim"], "UBND"),
        ("Hội đồng nhân dân xã Mường Kim", ["Xã Mường Kim"], "HĐND"),
        ("Đảng ủy xã Mường Kim", ["Xã Mường Kim"], "ĐU"),
        ("Báo và Phát thanh, Truyền hình Lai Châu", ["Lai Châu"], "BPTTH"),
    ],
)
def test_the_symbol_is_the_initials_of_the_body(name, places, expected):
    assert heading.symbol(name, places) == expected


@pytest.mark.parametrize(
    ("code", "superior", "issuer", "number"),
    [
        ("T.SKHCN", "UBND TỈNH LAI CHÂU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:      /BC-SKHCN"),
        (
            "T.SKHCN.TTDMST",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "TRUNG TÂM ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ",
            "Số:      /BC-TTĐMSTCĐS",
        ),
        ("T.VPTU", "TỈNH ỦY LAI CHÂU", "VĂN PHÒNG", "Số      -BC/VPTU"),
        ("X.03637.DU", "ĐẢNG BỘ TỈNH LAI CHÂU", "ĐẢNG ỦY XÃ MƯỜNG KIM", "Số      -BC/ĐU"),
        (
            "X.03637.TT",
            "UBND XÃ MƯỜNG KIM",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\nXÃ MƯỜNG KIM",
            "Số:      /BC-TTPVHCC",
        ),
        ("T.UBMTTQ", "", "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nTỈNH", "Số:      /BC-UBMTTQVN"),
    ],
)
def test_a_unit_heads_its_report_under_its_superior_body(lai_chau, code, superior, issuer, number):
    unit = Unit.objects.select_related("parent", "commune").get(code=code)
    result = heading.unit_heading(unit, 2026)
    assert (result.superior, result.issuer, result.number) == (superior, issuer, number)
    assert result.party == (unit.block == "dang")
