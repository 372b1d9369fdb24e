"""The unit registry as an Excel workbook: export (XlsxWriter) and the reading side of import.

The workbook has one sheet, "Đơn vị", whose first row holds the Vietnamese headers of
`registry.COLUMNS`. Export and import use the same headers and labels, so a file exported,
edited and imported again changes only what was edited. Validation and saving live in
`registry` (validate_rows, apply_rows); this module only turns cells into rows and back.
"""

import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from rasoat.orgs import registry
from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.orgs.text import fold
from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.spreadsheets.gate import check_workbook
from rasoat.xlsx_text import new_workbook, write_text

SHEET_NAME = "Đơn vị"
FILENAME = "danh-muc-don-vi.xlsx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = "Có", "Không"
EXTENSIONS = (".xlsx", ".xls", ".ods")
# Far above any province's registry (Lai Châu ~300, the whole country ~20k units).
MAX_ROWS = 50_000
# The header is looked for among the first rows, so a title or a note above it is tolerated.
HEADER_SEARCH_ROWS = 20
WIDTHS = {"code": 18, "name": 60, "parent_code": 18, "level": 10, "block": 30, "kind": 22, "reports": 9,
          "commune_code": 12, "former_district": 16, "active": 10}  # fmt: skip


class RegistryFileError(Exception):
    """The upload cannot be read as a registry workbook; the message says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- export ---------------------------------------------------------------------------------


def export_rows(units: Iterable[Unit]) -> Iterator[list[str]]:
    """One list of cell texts per unit, in the order of registry.COLUMNS.

    `units` should come with parent and commune selected; labels are the Vietnamese ones,
    whatever the language of the person exporting, so that any import can read them back.
    """
    with translation.override("vi"):
        labels = {
            "level": dict(Level.choices),
            "block": dict(Block.choices),
            "kind": {value: str(label) for value, label in Kind.choices},
        }
    for unit in units:
        values = {
            "code": unit.code,
            "name": unit.name,
            "parent_code": unit.parent.code if unit.parent_id else "",
            "level": labels["level"].get(unit.level, unit.level),
            "block": labels["block"].get(unit.block, unit.block),
            "kind": labels["kind"].get(unit.kind, unit.kind),
            "reports": YES if unit.reports else NO,
            "commune_code": unit.commune.code if unit.commune_id else "",
            "former_district": unit.former_district,
            "active": YES if unit.active else NO,
        }
        yield [values[key] for key, _header in registry.COLUMNS]


def write_workbook(units: Iterable[Unit]) -> bytes:
    """The registry workbook: a frozen, filterable header row and one row per unit."""
    output = io.BytesIO()
    workbook = new_workbook(output)
    sheet = workbook.add_worksheet(SHEET_NAME)
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    for col, (key, title) in enumerate(registry.COLUMNS):
        write_text(sheet, 0, col, title, header)
        sheet.set_column(col, col, WIDTHS.get(key, 14))
    row = 0
    for row, cells in enumerate(export_rows(units), start=1):
        for col, text in enumerate(cells):
            if text:
                # Always a string cell: a name such as "=HYPERLINK(...)" stays text, never a formula.
                write_text(sheet, row, col, text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row, 1), len(registry.COLUMNS) - 1)
    _add_dropdowns(sheet, max(row, 1))
    workbook.close()
    return output.getvalue()


def _add_dropdowns(sheet, last_row: int) -> None:
    """Offer the known labels in the coded columns; other values are warned about, not refused."""
    with translation.override("vi"):
        lists = {
            "level": [str(label) for _value, label in Level.choices],
            "block": [str(label) for _value, label in Block.choices],
            "kind": [str(label) for _value, label in Kind.choices],
            "reports": [YES, NO],
            "active": [YES, NO],
        }
    keys = [key for key, _header in registry.COLUMNS]
    for key, source in lists.items():
        col = keys.index(key)
        sheet.data_validation(
            1, col, last_row + 500, col,
            {"validate": "list", "source": source, "error_type": "warning", "ignore_blank": True},
        )  # fmt: skip


# --- import ---------------------------------------------------------------------------------


@dataclass
class ParsedRegistry:
    """Rows of a registry workbook keyed by registry.COLUMNS keys, with their Excel row numbers."""

    rows: list[dict]
    row_numbers: list[int]


def _checked_bytes(upload) -> bytes:
    """The upload's bytes once every check that needs no parsing passed: the name, the size, then the
    gate every uploaded spreadsheet goes through (type by content, zip bombs, the extent of every
    sheet; `spreadsheets.gate`), so a sparse or crafted file never reaches python-calamine."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(EXTENSIONS):
        raise RegistryFileError(
            _("Choose an Excel workbook (.xlsx, .xls) or an OpenDocument spreadsheet (.ods).")
        )
    size = getattr(upload, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise RegistryFileError(
            _("The file is %(size)s; files up to %(limit)s are accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    upload.seek(0)
    # Never more than the limit, whatever the object claims its size is.
    data = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise RegistryFileError(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    if not data:
        raise RegistryFileError(_not_a_workbook())
    try:
        check_workbook(data, getattr(upload, "name", "") or "")
    except WorkbookRejected as rejected:
        raise RegistryFileError(rejected.message) from None
    return data


def _not_a_workbook() -> str:
    return _(
        "The file could not be read as a workbook: it may be damaged, protected by a password, "
        "or of another type."
    )


def _read_cells(data: bytes) -> list[list]:
    """All cells of the first sheet from A1 (blank rows included, so row numbers are Excel's)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        end = sheet.end
        if end is not None and end[0] + 1 > MAX_ROWS:
            raise RegistryFileError(
                _("The sheet has %(rows)s rows; at most %(limit)s are read.")
                % {"rows": end[0] + 1, "limit": MAX_ROWS}
            )
        return sheet.to_python(skip_empty_area=False)
    except RegistryFileError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - calamine reports damaged files as Rust panics too
        raise RegistryFileError(_not_a_workbook()) from error


def _plain(value):
    """A cell value that the session can hold and registry.validate_rows can read."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _header_key(cell) -> str:
    return fold(str(cell)).strip(" *:") if cell not in (None, "") else ""


def _find_header(cells: list[list]) -> tuple[int, dict[int, str]]:
    """The header row's index and a map column index -> registry key."""
    wanted = {fold(title): key for key, title in registry.COLUMNS}
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        columns: dict[int, str] = {}
        for col, cell in enumerate(row):
            key = wanted.get(_header_key(cell))
            if key and key not in columns.values():
                columns[col] = key
        if {"code", "name"} <= set(columns.values()):
            return index, columns
    raise RegistryFileError(
        _("No header row was found. The first sheet must have a row with the columns: %(headers)s.")
        % {"headers": ", ".join(f"“{title}”" for _key, title in registry.COLUMNS)}
    )


def read_workbook(upload) -> ParsedRegistry:
    """Read an uploaded registry workbook into rows; raises RegistryFileError with a clear message.

    Every column of the registry must be present (importing overwrites each field of the units
    it names, so a missing column would silently blank it). Fully blank rows are skipped.
    """
    cells = _read_cells(_checked_bytes(upload))
    header_index, columns = _find_header(cells)
    missing = [title for key, title in registry.COLUMNS if key not in columns.values()]
    if missing:
        raise RegistryFileError(
            _("Missing columns: %(headers)s. Export the registry to get a workbook with every column.")
            % {"headers": ", ".join(f"“{title}”" for title in missing)}
        )
    rows, numbers = [], []
    for index in range(header_index + 1, len(cells)):
        cells_of_row = cells[index]
        row = {
            key: _plain(cells_of_row[col]) if col < len(cells_of_row) else None
            for col, key in columns.items()
        }
        if all(value is None or str(value).strip() == "" for value in row.values()):
            continue
        rows.append(row)
        numbers.append(index + 1)
    if not rows:
        raise RegistryFileError(_("The workbook has a header row but no unit below it."))
    return ParsedRegistry(rows=rows, row_numbers=numbers)
