"""The quick bound of an .xlsx sheet (rasoat/spreadsheets/xlsx_bounds.py) never lets through what the
exact measure refuses, and never refuses what it accepts.

Random workbooks mix every form a cell element can take — with its reference first, after another
attribute, in single quotes, as a character reference, without one, prefixed, nested, only
formatted, fake ones in comments and CDATA, text holding ":c " — over several sheets, with limits
small enough that both outcomes are common. Each is checked quickly (the default) and exactly: a
refusal must be the same refusal, an acceptance must give every sheet a grid at least the exact one.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from rasoat.spreadsheets import extents, xlsx_bounds
from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.spreadsheets.extents import check_extents, column_letters
from tests.spreadsheets.builders import MAIN, sheet_data, xlsx_of
from tests.workbooks.conftest import xlsx_bytes

SEEDS = range(300)


def _ref(rng: random.Random) -> str:
    return f"{column_letters(rng.randint(1, 31))}{rng.randint(1, 112)}"


def _cell(rng: random.Random) -> str:
    ref, other = _ref(rng), _ref(rng)
    row = "".join(ch for ch in ref if ch.isdigit())
    plain = [
        f'<c r="{ref}"><v>1</v></c>',
        f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>',
        f'<c r="{ref}" s="1"/>',
    ]
    if rng.random() < 0.85:
        return rng.choice(plain)
    return rng.choice(
        [
            f'<c s="1" r="{ref}"><v>1</v></c>',
            "<c><v>1</v></c>",
            "<c/>",
            f"<c r='{ref}'><v>1</v></c>",
            f'<c r="&#65;{row}"><v>1</v></c>',
            f'<x:c r="{ref}"><x:v>1</x:v></x:c>',
            f'<c\tr="{ref}"><v>1</v></c>',
            f'<c r = "{ref}"><v>1</v></c>',
            f'<!-- <c r="{other}"><v>1</v></c> --><c r="{ref}"><v>1</v></c>',
            f'<c r="{ref}" t="inlineStr"><is><t><![CDATA[<c r="{other}">]]></t></is></c>',
            f'<c r="{ref}" t="inlineStr"><is><t>a:c b</t></is></c>',
            f'<c r="{ref}"><c r="{other}"><v>1</v></c></c>',
            f'<c r="{ref}" t="s" foo=\'a"b>c\'><v>0</v></c>',
        ]
    )


def _sheet(rng: random.Random) -> str:
    rows = []
    for _row in range(rng.randint(0, 6)):
        start = rng.choice([f'<row r="{rng.randint(1, 125)}">', "<row>"])
        rows.append(start + "".join(_cell(rng) for _cell_number in range(rng.randint(0, 5))) + "</row>")
    return f'<sheetData xmlns:x="{MAIN}">' + "".join(rows) + "</sheetData>"


def _outcome(data: bytes, *, exact: bool):
    try:
        return "accepted", check_extents(data, "xlsx", "x.xlsx", exact=exact)
    except WorkbookRejected as rejected:
        return "refused", rejected.message


@pytest.fixture
def small_limits(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    settings.WORKBOOK_MAX_ROWS = 100
    settings.WORKBOOK_ROW_ALLOWANCE = 10
    settings.WORKBOOK_MAX_CELLS = 6000


def test_the_bound_agrees_with_the_exact_measure(small_limits):
    seen = {"refused": 0, "accepted": 0, "larger": 0}
    for seed in SEEDS:
        rng = random.Random(seed)
        data = xlsx_of({f"S{n}": _sheet(rng) for n in range(rng.randint(1, 3))})
        quick, exact = _outcome(data, exact=False), _outcome(data, exact=True)
        seen[exact[0]] += 1
        if exact[0] == "refused":
            assert quick == exact, seed
            continue
        assert quick[0] == "accepted", (seed, quick)
        assert [name for name, *_ in quick[1]] == [name for name, *_ in exact[1]], seed
        for bounded, measured in zip(quick[1], exact[1], strict=True):
            assert bounded[1] >= measured[1] and bounded[2] >= measured[2], seed
        seen["larger"] += quick[1] != exact[1]
    # Both outcomes are common, and the bound was taken (larger than the exact grid) in many cases.
    assert min(seen.values()) >= 20, seen


def test_a_workbook_written_by_xlsxwriter_is_bounded_without_an_exact_walk():
    rows = [["STT", "Tên"], *([k, f"Máy {k}"] for k in range(1, 2001))]
    data = xlsx_bytes({"Thiết bị đầu cuối": rows})
    budget = extents.Budget("x.xlsx")
    extents._check_xlsx(data, budget, quick=True)
    assert budget.bounded
    assert [(s.name, s.rows, s.columns) for s in budget.measured] == [("Thiết bị đầu cuối", 2001, 2)]


def test_a_far_formatted_cell_is_measured_exactly_not_refused_by_its_bound():
    far = '<c r="XFD1048576" s="3"/>'
    data = xlsx_of({"S": f'<sheetData><row r="1"><c r="A1"><v>1</v></c>{far}</row></sheetData>'})
    assert check_extents(data, "xlsx", "x.xlsx") == [("S", 1, 1)]


def test_a_bound_that_adds_up_past_the_cells_limit_is_measured_again_exactly(settings):
    """Sheet A is taken at its bound (a formatted cell at T30: 600 cells), then sheet B's values
    (600 cells) pass the 1,000-cell limit: the workbook is measured again exactly and accepted,
    since A's value alone is one cell."""
    settings.WORKBOOK_MAX_CELLS = 1000
    padded = '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="T30" s="1"/></row></sheetData>'
    full = '<sheetData><row r="30"><c r="T30"><v>1</v></c></row></sheetData>'
    found = check_extents(xlsx_of({"A": padded, "B": full}), "xlsx", "x.xlsx")
    assert found == [("A", 1, 1), ("B", 30, 20)]


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info))
    return output.getvalue()


def test_a_sheet_in_utf16_is_measured_exactly():
    """The byte patterns are UTF-8's: a UTF-16 sheet finds none, so it must not pass as empty."""
    body = sheet_data(("A1", "a"), ("XFD1048576", "b"))
    text = f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}">{body}</worksheet>'
    data = _with_member(xlsx_of({"S": body}), "xl/worksheets/sheet1.xml", text.encode("utf-16"))
    with pytest.raises(WorkbookRejected) as rejected:
        check_extents(data, "xlsx", "x.xlsx")
    assert "XFD" in rejected.value.message


def test_a_malformed_sheet_is_refused_as_damaged_on_the_quick_path():
    data = xlsx_of({"S": '<sheetData><row r="1"><c r="A1" r="B1"><v>1</v></c></row></sheetData>'})
    with pytest.raises(WorkbookRejected) as rejected:
        check_extents(data, "xlsx", "x.xlsx")
    assert "bị hỏng" in rejected.value.message


def _shared_strings(rng: random.Random) -> str:
    items = []
    for _item in range(rng.randint(0, 40)):
        items.append(
            rng.choice(
                [
                    "<si><t>x</t></si>",
                    "<si/>",
                    '<si\n><r><t xml:space="preserve">a</t></r></si>',
                    "<x:si><x:t>y</x:t></x:si>",
                    "<!-- <si> --><si><t>z</t></si>",
                    "<si><t>&lt;si&gt; a:si b</t></si>",
                ]
            )
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" xmlns:x="{MAIN}">'
        + "".join(items)
        + "</sst>"
    )


def test_the_shared_strings_bound_agrees_with_the_exact_count(settings):
    settings.WORKBOOK_MAX_CELLS = 30
    outcomes = set()
    for seed in range(150):
        rng = random.Random(seed)
        data = xlsx_of({"S": sheet_data(("A1", "a"))}, shared_strings=_shared_strings(rng))
        quick, exact = _outcome(data, exact=False), _outcome(data, exact=True)
        assert quick == exact, seed  # the sheet itself is exact either way: only the refusal matters
        outcomes.add(exact[0])
    assert outcomes == {"accepted", "refused"}


def test_an_element_start_across_two_chunks_is_counted_once():
    text = b'<?xml version="1.0"?><sst>' + b"<si><t>a</t></si>" * 50 + b"</sst>"
    for size in (1, 2, 3, 5, 7, 64):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert xlsx_bounds.count_bound(chunks, xlsx_bounds.SHARED_STRING_STARTS) == 50, size
    # A sheet part cut into small chunks is bounded the same as in one piece.
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">' + sheet_data(("C7", "a")) + "</worksheet>"
    ).encode()
    for size in (1, 3, 64, len(sheet)):
        bound = xlsx_bounds.Bound()
        for i in range(0, len(sheet), size):
            bound.feed(sheet[i : i + size])
        assert bound.result() == (7, 3), size
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><sst><si/></sst>'.encode("utf-16")
    assert xlsx_bounds.count_bound([utf16], xlsx_bounds.SHARED_STRING_STARTS) is None
