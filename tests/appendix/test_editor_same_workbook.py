"""Two ways to edit, one result: the version of the whole-way test (tests/workbooks/test_versions.py),
made once from its definition workbook with `rasoat appendix import` and once by driving the web
editor as an administrator does, gives the same definition workbook, cell for cell."""

from __future__ import annotations

import io
from io import StringIO

from django.core.management import call_command
from python_calamine import CalamineWorkbook

from rasoat.appendix import versions
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.workbook import write_definition
from tests.workbooks.test_versions import (
    CONTACT_LABEL,
    NEW_DEVICE,
    PLAN,
    PROVIDER_HEADER,
    SOURCE_HEADER,
    SOURCES,
    TRAINING,
    VERSION,
    run,
    version_definition,
)

TITLE = f"Phụ lục {VERSION}"
BASE = f"/phu-luc/{VERSION}"


def cells(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def current(sheet: str, key: str) -> dict:
    definition = AppendixVersion.objects.get(code=VERSION).definition
    return next(c for c in definition["columns"] if c["sheet"] == sheet and c["key"] == key)


def keys_of(sheet: str) -> list[str]:
    definition = AppendixVersion.objects.get(code=VERSION).definition
    return [c["key"] for c in definition["columns"] if c["sheet"] == sheet]


def ok(response) -> None:
    assert response.status_code == 302, response.content.decode()[-3000:]


def add_column(client, sheet: str, key: str, header: str, kind: str, **rules) -> None:
    data = {"key": key, "header": header, "type": kind, **{k: v for k, v in rules.items() if v is not None}}
    if data.pop("required", False):
        data["required"] = "on"
    ok(client.post(f"{BASE}/bieu/{sheet}/cot/them/", data))


def edit_column(client, sheet: str, key: str, **changes) -> None:
    """Post the column's form as the page shows it, with some fields changed."""
    row = {**current(sheet, key), **changes}
    data = {
        name: "" if row.get(name) is None else row[name]
        for name in ("header", "type", "choices", "min", "max", "warn_above", "required_if", "help")
    }
    for flag in ("required", "hidden"):
        if row.get(flag):
            data[flag] = "on"
    ok(client.post(f"{BASE}/bieu/{sheet}/cot/{key}/", data))


def move_up(client, sheet: str, key: str, times: int) -> None:
    for _ in range(times):
        ok(client.post(f"{BASE}/bieu/{sheet}/cot/{key}/di-chuyen/", {"step": "up"}))


def add_sheet(
    client, code: str, title: str, kind: str, help_text: str, key: str, header: str, first_type: str
):
    ok(
        client.post(
            f"{BASE}/bieu/them/",
            {
                "code": code,
                "title": title,
                "kind": kind,
                "help": help_text,
                "first_key": key,
                "first_header": header,
                "first_type": first_type,
            },
        )
    )


def make_on_the_web(client) -> None:
    """The edits of `test_versions.version_definition`, through the editor's pages."""
    ok(client.post("/phu-luc/2026.1/sao-chep/", {"code": VERSION, "title": TITLE}))
    # B05: a new choice column with its own list, moved before "Ghi chú"; a new device type.
    add_column(client, "B05", "source", SOURCE_HEADER, "choice", new_labels="\n".join(SOURCES))
    move_up(client, "B05", "source", 1)
    ok(
        client.post(
            f"{BASE}/lua-chon/", {"list_name": "b05_device_type", "label": NEW_DEVICE, "before": "Khác"}
        )
    )
    # Relabelled B02 header and B01 line; a hidden B03 column.
    edit_column(client, "B02", "provider", header=PROVIDER_HEADER)
    edit_column(client, "B01", "contact_name", header=CONTACT_LABEL)
    ok(client.post(f"{BASE}/bieu/B03/cot/location/an/"))
    # B01: a line after line 12.
    add_column(client, "B01", "staff_with_computer", "Số cán bộ được trang bị máy tính riêng", "int", min="0")
    after = keys_of("B01")
    move_up(client, "B01", "staff_with_computer", len(after) - after.index("it_staff_parttime") - 2)
    # A repeating sheet with every kind of column.
    add_sheet(
        client,
        "B07",
        TRAINING,
        "table",
        "Các lớp đào tạo trong năm.",
        "course",
        "Tên lớp, khóa đào tạo",
        "text",
    )
    edit_column(client, "B07", "course", required=True)
    add_column(
        client, "B07", "training_form", "Hình thức", "choice", new_labels="Tập trung\nTrực tuyến\nKết hợp"
    )
    add_column(client, "B07", "year_held", "Năm tổ chức", "year")
    add_column(client, "B07", "started_on", "Ngày khai giảng", "date", required=True)
    add_column(client, "B07", "attendees", "Số người tham gia", "int", min="0", max="10000", warn_above="500")
    add_column(client, "B07", "online", "Học trực tuyến", "yesno")
    add_column(client, "B07", "organiser_email", "Thư điện tử đơn vị tổ chức", "email")
    add_column(client, "B07", "organiser_phone", "Điện thoại đơn vị tổ chức", "phone")
    add_column(client, "B07", "cost_mvnd", "Kinh phí (triệu đồng)", "dec", min="0")
    add_column(client, "B07", "outcome", "Kết quả", "longtext")
    # A label/value sheet.
    add_sheet(client, "B08", PLAN, "form", "", "plan_approved", "Đã ban hành kế hoạch chuyển đổi số", "yesno")
    edit_column(client, "B08", "plan_approved", required=True)
    add_column(client, "B08", "approved_on", "Ngày ban hành", "date")
    add_column(client, "B08", "plan_number", "Số hiệu văn bản", "text")
    add_column(client, "B08", "budget_mvnd", "Kinh phí bố trí (triệu đồng)", "dec", min="0")


def test_the_web_editor_makes_the_same_definition_workbook(clients, lai_chau, tmp_path):
    # Made from the definition workbook, then exported.
    source = tmp_path / "dinh-nghia.xlsx"
    write_definition(version_definition(), source, code=VERSION, title=TITLE)
    output, code = run("appendix", "import", str(source), "--version", VERSION, "--title", TITLE)
    assert (code, output["errors"]) == (0, [])
    exported = tmp_path / "xuat.xlsx"
    call = run_export(VERSION, exported)
    assert call == 0
    from_workbook = AppendixVersion.objects.get(code=VERSION).definition
    AppendixVersion.objects.filter(code=VERSION).delete()
    versions.clear_cache()

    # Made on the web, then downloaded from the editor.
    client = clients["admin"]
    make_on_the_web(client)
    assert AppendixVersion.objects.get(code=VERSION).definition == from_workbook
    response = client.get(f"{BASE}/dinh-nghia/")
    assert response.status_code == 200

    expected, made = cells(exported.read_bytes()), cells(response.content)
    assert list(made) == list(expected)
    for name in expected:
        assert made[name] == expected[name], name


def run_export(code: str, path) -> int:
    """`rasoat appendix export CODE -o PATH`; its exit code."""
    try:
        call_command("appendix", "export", code, "-o", str(path), stdout=StringIO())
    except SystemExit as exit_:
        return exit_.code
    return 0
