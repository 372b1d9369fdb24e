"""The consolidated export names its scope (file name and the scope line) and prints on A4 landscape
(issue 11, item 8)."""

import re
import zipfile

import pytest

from rasoat.workbooks.export import SUMMARY_SHEET, export_filename
from tests.workbooks.test_export_views import download, url

pytestmark = pytest.mark.django_db


def disposition(response) -> str:
    return re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)


def test_file_name_folds_the_scope_names(campaign):
    assert export_filename(campaign, "Xã Mường Tè") == "tong-hop-RS2026-xa-muong-te.xlsx"
    assert export_filename(campaign, "Tỉnh Lai Châu", "Cấp xã", "Khối Đảng") == (
        "tong-hop-RS2026-tinh-lai-chau-cap-xa-khoi-dang.xlsx"
    )
    assert export_filename(campaign) == "tong-hop-RS2026.xlsx"


@pytest.mark.parametrize(
    ("persona", "query", "filename", "scope"),
    [
        ("editor_muong_te", "", "tong-hop-RS2026-xa-muong-te.xlsx", "Xã Mường Tè"),
        ("reviewer", "?scope=X.03445", "tong-hop-RS2026-xa-muong-te.xlsx", "Xã Mường Tè"),
        ("reviewer", "", "tong-hop-RS2026-tinh-lai-chau.xlsx", "Tỉnh Lai Châu"),
        ("reviewer", "?level=xa&block=dang", "tong-hop-RS2026-tinh-lai-chau-cap-xa-khoi-dang.xlsx", None),
    ],
)
def test_the_export_names_its_scope_never_a_person(
    campaign, clients, tmp_path, persona, query, filename, scope
):
    response = clients[persona].get(url(campaign, query))
    assert response.status_code == 200
    assert disposition(response) == filename
    book = download(response, tmp_path)
    line = next(row[0] for row in book[SUMMARY_SHEET] if row and str(row[0]).startswith("Phạm vi:"))
    if scope:
        assert line == f"Phạm vi: {scope}"
    assert persona not in line


def test_summary_sheet_prints_a4_landscape_fit_to_width_with_its_top_rows_repeated(
    campaign, clients, tmp_path
):
    response = clients["reviewer"].get(url(campaign))
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        sheets = re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="rId(\d+)"', workbook)
        number = dict(sheets)[SUMMARY_SHEET]
        sheet = archive.read(f"xl/worksheets/sheet{number}.xml").decode()
    setup = re.search(r"<pageSetup [^>]*/>", sheet).group(0)
    assert 'paperSize="9"' in setup and 'orientation="landscape"' in setup
    assert 'fitToHeight="0"' in setup
    assert '<pageSetUpPr fitToPage="1"/>' in sheet
    titles = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="\d+">([^<]+)<', workbook)
    titles = [title.replace("&apos;", "'") for title in titles]
    assert f"'{SUMMARY_SHEET}'!$1:$3" in titles
    assert "'Kết nối mạng'!$1:$1" in titles  # a table sheet repeats its header row
