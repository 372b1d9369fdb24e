"""'Thống kê theo cột': counts by any choice or yes/no column of the campaign's appendix version.

A test version is 2026.1's definition with two choice columns added to B05 (kept in `extra`), a
new device type, a new repeating sheet B07 with its own quantity column and a new label/value sheet
B08; the campaign is pinned to it and the data goes in the way the JSON load stores it. Every count
is compared with a direct computation over the stored records.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.definition import definition_of
from rasoat.appendix.models import AppendixVersion
from rasoat.campaigns.models import Assignment
from rasoat.dashboard.charts import NOT_STATED
from rasoat.inventory import storage
from rasoat.inventory.models import CustomRow, EndDevice, GeneralInfo, Software
from rasoat.orgs.models import Unit
from rasoat.summaries.services import refresh
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS
from tests.dashboard.helpers import DATASET, dashboard_url, data_for, drilldown_url, load_dataset

VERSION = "TEST-COT"
ORIGINS = ("Ngân sách nhà nước", "Tài trợ, viện trợ", "Điều chuyển")
ACTIONS = ("Tiếp tục sử dụng", "Nâng cấp", "Thanh lý")
HOSTINGS = ("Trung tâm dữ liệu tỉnh", "Thuê dịch vụ đám mây", "Tại đơn vị")
NEW_DEVICE = "Màn hình tương tác"


def _column(sheet: str, key: str, header: str, kind: str, **more) -> dict:
    """A row of a definition's `columns` table."""
    blank = {
        "required": False, "min": None, "max": None, "warn_above": None, "required_if": "",
        "hidden": False, "help": "", "old_headers": [], "choices": "",
    }  # fmt: skip
    return {**blank, "sheet": sheet, "key": key, "header": header, "type": kind, **more}


def column_definition() -> dict:
    """2026.1 with B05 `origin` and `action` (choices), a new B05 device type, sheets B07 and B08."""
    definition = copy.deepcopy(definition_of(get_appendix("2026.1")))
    device_list = next(
        c["choices"] for c in definition["columns"] if c["sheet"] == "B05" and c["key"] == "device_type"
    )
    definition["choices"].append({"list": device_list, "label": NEW_DEVICE})
    definition["choices"] += [{"list": "nguon_trang_bi", "label": label} for label in ORIGINS]
    definition["choices"] += [{"list": "de_xuat_xu_ly", "label": label} for label in ACTIONS]
    definition["choices"] += [{"list": "noi_dat", "label": label} for label in HOSTINGS]
    definition["columns"] += [
        _column("B05", "origin", "Nguồn trang bị", "choice", choices="nguon_trang_bi"),
        _column("B05", "action", "Đề xuất xử lý", "choice", choices="de_xuat_xu_ly"),
        _column("B07", "system", "Tên hệ thống", "text", required=True),
        _column("B07", "hosting", "Nơi đặt", "choice", choices="noi_dat"),
        _column("B07", "quantity", "Số máy chủ", "int", min=0),
        _column("B07", "since", "Năm đưa vào sử dụng", "year"),
        _column("B08", "backup", "Có sao lưu định kỳ", "yesno"),
        _column("B08", "note", "Ghi chú", "text"),
    ]
    definition["sheets"] += [
        {"code": "B07", "title": "Hệ thống thông tin", "kind": "table", "help": ""},
        {"code": "B08", "title": "An toàn thông tin", "kind": "form", "help": ""},
    ]
    return definition


def with_added(code: str, index: int):
    """The dataset's variation of `code`, then values for the added columns and sheets."""
    vary = DATASET[code]

    def change(data: dict) -> None:
        if vary is not None:
            vary(data)
        for position, row in enumerate(data["B05"]):
            turn = index + position
            row["origin"] = ORIGINS[turn % 3] if turn % 4 else None  # some left empty
            row["action"] = ACTIONS[(turn * 2) % 3]
        if data["B05"]:
            data["B05"][0]["device_type"] = NEW_DEVICE
        data["B07"] = [
            {
                "system": f"Hệ thống {k}",
                "hosting": HOSTINGS[(index + k) % 3],
                "quantity": k + index,
                "since": 2020,
            }
            for k in range(index % 3 + 1)
        ]
        data["B08"] = {"backup": "Có" if index % 2 else "Không", "note": f"Ghi chú {index}"}

    return change


@pytest.fixture
def version_campaign(past_deadline):
    AppendixVersion.objects.create(
        code=VERSION, title="Phụ lục thử có cột thêm", definition=column_definition()
    )
    past_deadline.appendix_version = VERSION
    past_deadline.save()
    return past_deadline


@pytest.fixture
def filled(version_campaign):
    """The dashboard dataset on the test version, each unit with values in the added columns."""
    from tests.dashboard import helpers

    original = dict(helpers.DATASET)
    variations = {code: with_added(code, index) for index, code in enumerate(original)}
    helpers.DATASET.update(variations)
    try:
        return load_dataset(version_campaign)
    finally:
        helpers.DATASET.update(original)


def _records(campaign, sheet_code: str, commune: str | None = None):
    """(values, record) of every stored record of a sheet of the campaign, read through storage."""
    sheet = get_appendix(campaign.appendix_version).sheet(sheet_code)
    records = storage.records(sheet, assignment__campaign=campaign)
    if commune:
        records = records.filter(assignment__unit__commune__code=commune)
    return [(storage.read_values(record, sheet), record) for record in records]


def direct_counts(campaign, sheet_code: str, key: str, commune: str | None = None):
    """{label: (rows, quantity)} computed record by record: what the SQL must equal."""
    rows, quantity = Counter(), Counter()
    for values, _record in _records(campaign, sheet_code, commune):
        rows[values[key]] += 1
        quantity[values[key]] += values.get("quantity") or 0
    return {label: (rows[label], quantity[label]) for label in rows}


def shown_counts(context) -> dict:
    counted = context["column_counts"]
    return {
        (None if line.value == "_none" else line.label): (line.rows, line.quantity)
        for line in counted.lines
        if line.rows
    }


def test_the_test_data_really_uses_extra_and_custom_rows(filled, version_campaign):
    """The added B05 columns are stored in `extra`, the added sheets in CustomRow."""
    assert EndDevice.objects.filter(assignment__campaign=version_campaign, extra__has_key="origin").exists()
    assert CustomRow.objects.filter(assignment__campaign=version_campaign, sheet="B07").count() >= 6
    assert CustomRow.objects.filter(assignment__campaign=version_campaign, sheet="B08").count() == len(
        DATASET
    )


@pytest.mark.parametrize(
    ("ref", "weighted"),
    [
        ("B05.os", True),  # typed column, weighted by B05's typed quantity
        ("B05.device_type", True),  # typed, with the version's new device type
        ("B05.origin", True),  # added column: in `extra`
        ("B05.action", True),
        ("B07.hosting", True),  # added sheet, weighted by its own (extra) quantity
        ("B04.category", False),  # no quantity column: rows count once
        ("B08.backup", False),  # added label/value sheet, yes/no
        ("B01.has_lan", False),  # 2026.1's label/value sheet, yes/no
    ],
)
def test_counts_equal_a_direct_computation(clients, filled, version_campaign, ref, weighted):
    response = clients["reviewer"].get(dashboard_url(version_campaign, column=ref))
    assert response.status_code == 200
    counted = response.context["column_counts"]
    assert counted.ref == ref and not counted.unknown
    sheet, key = ref.split(".")
    expected = direct_counts(version_campaign, sheet, key)
    shown = shown_counts(response.context)
    if weighted:
        assert shown == expected
        total = sum(q for _r, q in expected.values())
        assert counted.total_quantity == total
        shares = {line.label: line.share for line in counted.lines if line.rows}
        for label, (_rows, quantity) in expected.items():
            name = str(NOT_STATED) if label is None else label
            assert shares[name] == pytest.approx(100 * quantity / total)
    else:
        assert {label: rows for label, (rows, _q) in shown.items()} == {
            label: rows for label, (rows, _q) in expected.items()
        }
        assert all(quantity is None for _rows, quantity in shown.values())
    assert counted.total_rows == sum(rows for rows, _q in expected.values())
    html = response.content.decode()
    assert 'data-testid="column-counts"' in html and 'data-testid="table-column-counts"' in html


def test_added_columns_are_offered_and_the_new_label_is_listed(clients, filled, version_campaign):
    context = clients["reviewer"].get(dashboard_url(version_campaign)).context
    refs = [option["ref"] for group in context["column_counts"].groups for option in group["columns"]]
    assert {"B05.origin", "B05.action", "B07.hosting", "B08.backup", "B05.os", "B04.category"} <= set(refs)
    assert "B07.system" not in refs and "B07.quantity" not in refs  # only choice and yes/no columns
    counted = clients["reviewer"].get(dashboard_url(version_campaign, column="B05.device_type")).context
    labels = [line.label for line in counted["column_counts"].lines]
    assert NEW_DEVICE in labels
    # Every declared label is listed, in the version's order, even with no row.
    assert [line.label for line in counted["column_counts"].lines[: len(labels) - 0] if line.value][
        :3
    ] == list(get_appendix(VERSION).sheet("B05").column("device_type").choices[:3])


def test_counts_follow_the_scope_and_the_filters(clients, filled, version_campaign):
    viewer = clients["viewer_muong_kim"].get(dashboard_url(version_campaign, column="B05.origin")).context
    assert shown_counts(viewer) == direct_counts(version_campaign, "B05", "origin", commune=MUONG_KIM)
    assert shown_counts(viewer) != direct_counts(version_campaign, "B05", "origin")
    commune = Unit.objects.get(code=MUONG_KIM)
    filtered = clients["reviewer"].get(
        dashboard_url(version_campaign, column="B07.hosting", commune=commune.pk)
    )
    assert shown_counts(filtered.context) == direct_counts(
        version_campaign, "B07", "hosting", commune=MUONG_KIM
    )
    # The form keeps the filters when another column is chosen.
    assert f'name="commune" value="{commune.pk}"' in filtered.content.decode()


def test_drilldown_lists_the_rows_behind_each_label(clients, filled, version_campaign):
    context = clients["reviewer"].get(dashboard_url(version_campaign, column="B05.origin")).context
    lines = [line for line in context["column_counts"].lines if line.link]
    assert {line.value for line in lines} >= {*ORIGINS, "_none"}
    for line in lines:
        response = clients["reviewer"].get(line.link)
        assert response.status_code == 200, line.link
        label = None if line.value == "_none" else line.label
        expected = {r.pk for values, r in _records(version_campaign, "B05") if values["origin"] == label}
        assert {row.pk for row in response.context["page"]} == expected
        assert response.context["summary"] == {"rows": line.rows, "quantity": line.quantity}
    html = clients["reviewer"].get(lines[0].link).content.decode()
    assert "Nguồn trang bị" in html  # the counted column is shown with the usual B05 columns
    assert lines[0].label in html


def test_drilldown_of_an_added_sheet_and_a_label_value_sheet(clients, filled, version_campaign):
    url = drilldown_url(version_campaign, "column", HOSTINGS[0], column="B07.hosting")
    response = clients["reviewer"].get(url)
    assert response.status_code == 200
    expected = [(v, r) for v, r in _records(version_campaign, "B07") if v["hosting"] == HOSTINGS[0]]
    assert {row.pk for row in response.context["page"]} == {r.pk for _v, r in expected}
    assert response.context["summary"]["quantity"] == sum(v["quantity"] for v, _r in expected)
    html = response.content.decode()
    assert "Tên hệ thống" in html and "Hệ thống 0" in html  # values read from `extra`
    unit = expected[0][1].assignment.unit_id
    assert f"/dot/{version_campaign.code}/don-vi/{unit}/nhap/B07/#row-" in html

    response = clients["reviewer"].get(drilldown_url(version_campaign, "column", "Có", column="B08.backup"))
    assert response.status_code == 200
    expected = {r.pk for v, r in _records(version_campaign, "B08") if v["backup"] == "Có"}
    assert {row.pk for row in response.context["page"]} == expected
    assert response.context["summary"] == {"rows": len(expected), "quantity": None}

    response = clients["reviewer"].get(drilldown_url(version_campaign, "column", "Có", column="B01.has_lan"))
    expected = set(
        GeneralInfo.objects.filter(assignment__campaign=version_campaign, has_lan="Có").values_list(
            "pk", flat=True
        )
    )
    assert {row.pk for row in response.context["page"]} == expected
    assert "/nhap/B01/" in response.content.decode()


def test_drilldown_stays_in_scope(clients, filled, version_campaign):
    url = drilldown_url(version_campaign, "column", ORIGINS[1], column="B05.origin")
    rows = clients["viewer_muong_kim"].get(url).context["page"]
    units = {row.assignment.unit.code for row in rows}
    assert units and units <= set(MUONG_KIM_UNITS)
    # A commune outside the viewer's scope is not a filter it can use: the rows stay its own.
    other = Unit.objects.get(code="X.03445")
    rows = clients["viewer_muong_kim"].get(url + f"&commune={other.pk}").context["page"]
    assert {row.assignment.unit.code for row in rows} <= set(MUONG_KIM_UNITS)
    # The editor of the other commune never sees Mường Kim's rows.
    rows = clients["editor_muong_te"].get(url).context["page"]
    assert not {row.assignment.unit.code for row in rows} & set(MUONG_KIM_UNITS)


@pytest.mark.parametrize(
    "params",
    [
        {"figure": "column", "value": ORIGINS[0], "column": "B05.model"},  # a text column
        {"figure": "column", "value": ORIGINS[0], "column": "B05.nothing"},
        {"figure": "column", "value": ORIGINS[0], "column": "B99.origin"},
        {"figure": "column", "value": ORIGINS[0]},  # no column
        {"figure": "column", "value": "Không có nhãn này", "column": "B05.origin"},
        {"figure": "column", "value": ORIGINS[0], "column": "B05.origin", "condition": "Hỏng"},
        {"figure": "column", "value": ORIGINS[0], "column": "extra__origin"},
    ],
)
def test_columns_and_labels_outside_the_version_are_404(clients, version_campaign, params):
    from urllib.parse import urlencode

    from django.urls import reverse

    url = f"{reverse('dashboard_drilldown', args=[version_campaign.code])}?{urlencode(params)}"
    assert clients["reviewer"].get(url).status_code == 404


def test_an_unknown_column_shows_the_default_with_a_message(clients, filled, version_campaign):
    response = clients["reviewer"].get(dashboard_url(version_campaign, column="B05.khong-co"))
    assert response.status_code == 200
    assert response.context["column_counts"].unknown
    assert 'data-testid="column-unknown"' in response.content.decode()


def test_a_column_added_by_a_version_is_unknown_on_a_2026_1_campaign(clients, campaign):
    load_dataset(campaign, codes=["X.03637.DU"])
    response = clients["reviewer"].get(dashboard_url(campaign, column="B05.origin"))
    assert response.status_code == 200 and response.context["column_counts"].unknown
    url = drilldown_url(campaign, "column", ORIGINS[0], column="B05.origin")
    assert clients["reviewer"].get(url).status_code == 404
    # 2026.1's default column still counts.
    counted = clients["reviewer"].get(dashboard_url(campaign)).context["column_counts"]
    assert counted.total_rows > 0


def test_the_version_new_label_is_drillable_in_the_device_figure(clients, filled, version_campaign, campaign):
    url = drilldown_url(version_campaign, "devices_B05", NEW_DEVICE)
    response = clients["reviewer"].get(url)
    assert response.status_code == 200
    assert (
        response.context["summary"]["rows"]
        == EndDevice.objects.filter(assignment__campaign=version_campaign, device_type=NEW_DEVICE).count()
    )
    chart = clients["reviewer"].get(dashboard_url(version_campaign)).context["charts"]["devices_B05"]
    assert NEW_DEVICE in [c.value for c in chart.categories]


def test_the_counts_are_a_few_queries_whatever_the_rows(
    filled, version_campaign, django_assert_max_num_queries
):
    from rasoat.dashboard import columns

    scoped = Assignment.objects.filter(campaign=version_campaign)
    get_appendix(VERSION)  # the build of the version is cached per process
    # The version's stamp, whether the scope is the whole campaign, then its rollup's rows.
    with django_assert_max_num_queries(3):
        counted = columns.compute(scoped, version_campaign, "B05.origin")
    assert counted.total_rows == EndDevice.objects.filter(assignment__campaign=version_campaign).count()
    one_commune = scoped.filter(unit__commune__code=MUONG_KIM)
    with django_assert_max_num_queries(3):  # the same, then the grouped counts of its units
        counted = columns.compute(one_commune, version_campaign, "B05.origin")
    assert counted.total_rows == EndDevice.objects.filter(assignment__in=one_commune).count()


def test_quantity_sums_are_exact_for_a_decimal_weight():
    """A sheet whose quantity is a decimal column sums decimals (no float rounding)."""
    from rasoat.appendix.definition import build_appendix
    from rasoat.inventory import summaries

    definition = column_definition()
    for column in definition["columns"]:
        if column["sheet"] == "B07" and column["key"] == "quantity":
            column["type"] = "dec"
    sheet = build_appendix("X", "x", definition).sheet("B07")
    countable = summaries.Countable(sheet, sheet.column("hosting"))
    assert countable.weight.type == "dec"
    assert summaries.quantity_field(countable).decimal_places == 3
    # The sums themselves: tests/summaries/test_column_counts.py.


def test_software_is_counted_by_rows(filled, version_campaign, clients):
    context = clients["reviewer"].get(dashboard_url(version_campaign, column="B04.usage")).context
    expected = Counter(
        Software.objects.filter(assignment__campaign=version_campaign).values_list("usage", flat=True)
    )
    assert {
        line.label if line.value != "_none" else None: line.rows
        for line in context["column_counts"].lines
        if line.rows
    } == dict(expected)
    assert not context["column_counts"].weighted
    assert data_for  # the helper module is shared with the other dashboard tests


# --- the report annexes ----------------------------------------------------------------------------


def _report(kind, campaign, **target):
    from rasoat.reports import services
    from tests.reports.helpers import open_docx

    return open_docx(services.generate(kind, campaign, **target).content)


def _annex_table(document, header: str) -> list[list[str]]:
    """The annex table that follows the paragraph naming `header` (the column counted)."""
    from tests.reports.helpers import rows_of

    body = document.element.body
    seen = False
    for element in body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(element.itertext()).startswith(header):
            seen = True
        elif tag == "tbl" and seen:
            return rows_of(next(t for t in document.tables if t._tbl is element))
    raise AssertionError(f"no annex table after {header!r}")


def _vn(number) -> str:
    from tests.reports.helpers import vn

    return vn(number)


def test_the_province_annex_counts_the_added_columns_and_sheets(filled, version_campaign):
    from tests.reports.helpers import body_text, table_with

    document = _report("province", version_campaign)
    text = body_text(document)
    assert f"Phụ lục 6. Các cột, biểu bổ sung của Phụ lục phiên bản {VERSION}" in text
    received = Assignment.objects.filter(campaign=version_campaign, status__in=["submitted", "accepted"])
    codes = set(received.values_list("unit__code", flat=True))
    assert codes and len(codes) < len(DATASET)  # the annex counts the reports received only

    def expected(sheet, key):
        result = Counter(), Counter()
        for values, record in _records(version_campaign, sheet):
            if record.assignment.unit.code in codes:
                result[0][values[key]] += 1
                result[1][values[key]] += values.get("quantity") or 0
        return result

    rows, quantity = expected("B05", "origin")
    table = _annex_table(document, "Nguồn trang bị")
    assert table[0] == ["STT", "Giá trị", "Số dòng", "Số lượng", "Tỷ lệ (%)"]
    shown = {row[1]: (row[2], row[3]) for row in table[1:] if row[1] != "Tổng cộng"}
    for label in ORIGINS:
        assert shown[label] == (_vn(rows[label]), _vn(quantity[label]))
    assert shown["Chưa kê khai"] == (_vn(rows[None]), _vn(quantity[None]))
    assert table[-1][1:4] == ["Tổng cộng", _vn(sum(rows.values())), _vn(sum(quantity.values()))]

    rows, quantity = expected("B07", "hosting")
    table = _annex_table(document, "Nơi đặt")
    shown = {row[1]: (row[2], row[3]) for row in table[1:] if row[1] != "Tổng cộng"}
    assert {label: shown[label] for label in HOSTINGS} == {
        label: (_vn(rows[label]), _vn(quantity[label])) for label in HOSTINGS
    }
    assert "Hệ thống thông tin (Biểu B07, biểu bổ sung)" in text
    # B07's other columns: filled rows, sum, smallest and largest.
    others = table_with(document, "STT", "Cột", "Kiểu", "Số dòng có giá trị")
    by_header = {row[1]: row for row in others[1:]}
    values = [v for v, r in _records(version_campaign, "B07") if r.assignment.unit.code in codes]
    servers = [v["quantity"] for v in values]
    assert by_header["Số máy chủ"][2:] == ["Số nguyên", _vn(len(servers)), _vn(sum(servers)),
                                           _vn(min(servers)), _vn(max(servers))]  # fmt: skip
    assert by_header["Tên hệ thống"][2:4] == ["Văn bản", _vn(len(values))]
    # A year is written as a year (2020), not as a number (2.020), and is not summed.
    assert by_header["Năm đưa vào sử dụng"][2:] == ["Năm", _vn(len(values)), "", "2020", "2020"]
    # B08 (a label/value sheet, yes/no): counted by rows.
    backups = Counter(
        v["backup"] for v, r in _records(version_campaign, "B08") if r.assignment.unit.code in codes
    )
    table = _annex_table(document, "Có sao lưu định kỳ")
    shown = {row[1]: row[2] for row in table[1:] if row[1] != "Tổng cộng"}
    assert {k: v for k, v in shown.items() if k in backups} == {k: _vn(n) for k, n in backups.items()}


def test_the_unit_report_lists_its_values_of_the_added_columns(filled, version_campaign):
    from rasoat.inventory.data import unit_data

    assignment = filled["X.03637.DU"]
    document = _report("unit", version_campaign, assignment=assignment)
    data = unit_data(assignment)
    from tests.reports.helpers import body_text, table_with

    text = body_text(document)
    assert f"CÁC CỘT, BIỂU BỔ SUNG CỦA PHỤ LỤC PHIÊN BẢN {VERSION}" in text
    b05 = tables_after(document, "Thiết bị đầu cuối (Biểu B05)")
    assert b05[0] == ["Dòng", "Nội dung", "Các cột bổ sung"]
    assert len(b05) == 1 + len(data["B05"])
    for row, values in zip(b05[1:], data["B05"], strict=True):
        assert row[1] == values["device_type"]
        for key, header in (("origin", "Nguồn trang bị"), ("action", "Đề xuất xử lý")):
            assert (f"{header}: {values[key]}" in row[2]) == (values[key] is not None)
    b07 = tables_after(document, "Hệ thống thông tin (Biểu B07, biểu bổ sung)")
    assert [row[2].split("\n")[0] for row in b07[1:]] == [f"Tên hệ thống: {r['system']}" for r in data["B07"]]
    assert all("Năm đưa vào sử dụng: 2020" in row[2] for row in b07[1:])
    b08 = table_with(document, "STT", "Nội dung", "Giá trị")
    assert [row[1:] for row in b08[1:]] == [["Có sao lưu định kỳ", data["B08"]["backup"]],
                                            ["Ghi chú", data["B08"]["note"]]]  # fmt: skip


def tables_after(document, heading: str) -> list[list[str]]:
    from tests.reports.helpers import rows_of

    seen = False
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(element.itertext()).endswith(heading):
            seen = True
        elif tag == "tbl" and seen:
            return rows_of(next(t for t in document.tables if t._tbl is element))
    raise AssertionError(f"no table after {heading!r}")


def test_the_commune_report_counts_its_units_only(filled, version_campaign):
    document = _report("commune", version_campaign, commune=Unit.objects.get(code=MUONG_KIM))
    expected = direct_counts(version_campaign, "B05", "action", commune=MUONG_KIM)
    table = _annex_table(document, "Đề xuất xử lý")
    shown = {row[1]: (row[2], row[3]) for row in table[1:] if row[1] != "Tổng cộng"}
    assert {label: shown[label] for label in ACTIONS if label in expected} == {
        label: (_vn(rows), _vn(quantity)) for label, (rows, quantity) in expected.items()
    }


def test_a_2026_1_report_has_no_added_annex(campaign):
    from tests.reports.helpers import body_text

    load_dataset(campaign, codes=["X.03637.DU"])
    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.DU")
    assert "CÁC CỘT, BIỂU BỔ SUNG" not in body_text(_report("unit", campaign, assignment=assignment))
    assert "Phụ lục 6." not in body_text(_report("province", campaign))


def test_a_stored_value_outside_the_version_is_listed_but_not_drillable(clients, filled, version_campaign):
    """A value no longer in the version's list (written by an earlier version) is counted apart, after
    the declared labels, and has no drill-down link (its value is not in the whitelist)."""
    row = EndDevice.objects.filter(assignment__campaign=version_campaign, extra__has_key="action").first()
    EndDevice.objects.filter(pk=row.pk).update(extra={**row.extra, "action": "Chuyển kho"})
    refresh([row.assignment_id])  # written around the services, as a version's data migration would
    counted = (
        clients["reviewer"].get(dashboard_url(version_campaign, column="B05.action")).context["column_counts"]
    )
    labels = [line.label for line in counted.lines]
    assert labels[: len(ACTIONS)] == list(ACTIONS)
    (odd,) = [line for line in counted.lines if line.label == "Chuyển kho"]
    assert odd.rows == 1 and odd.quantity == row.quantity and odd.link is None
    url = drilldown_url(version_campaign, "column", "Chuyển kho", column="B05.action")
    assert clients["reviewer"].get(url).status_code == 404
