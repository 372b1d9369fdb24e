"""Reading an uploaded appendix workbook (.xlsx, .xlsm, .xls, .ods) with python-calamine.

`read_unit_workbook` reads the workbook of one unit, `read_commune_workbook` the workbook of a
commune's units; both return a `WorkbookImport` (every unit's normalised data, every error and
warning with sheet, Excel row, PHU_LUC.md header, value found and a Vietnamese message, and the
per-sheet summary of the preview), or raise `WorkbookRejected` when the file as a whole cannot
be read. Nothing is stored: `importer.apply_import` does that once the user confirms.

How a workbook is read (PHU_LUC.md, "The workbook"):

- Limits first (`limits`): size on disk, type by content, password protection, the zip's
  inflated size and compression ratio, then the sheets' rows and cells before their cells are
  converted. Each sheet is converted once (`to_python`); formulas count by their computed value.
- Everything follows the campaign's appendix version: its sheets (those it adds included), its
  headers and every earlier header it keeps (`Column.header_texts`: a relabelled column is still
  read from an older workbook), its types (a date column takes a date cell, an Excel serial, or
  text dd/mm/yyyy or yyyy-mm-dd).
- Sheets are found by name, in any order, ignoring case, white space, the Unicode form and a
  leading sheet code ("B05.", "Biểu 05 -"); by the title, by the name the template gives a long
  title (31 characters), or by 2026.1's title of a sheet the version retitled. `Hướng dẫn` is
  ignored; other sheets that are not part of the appendix are ignored with a warning. A missing
  B01 is an error, any other missing sheet a warning (it will be empty).
- `_meta` (hidden, written by the template) is a key/value table: column A the key, column B the
  value. Keys: `appendix_version`, `campaign` (campaign code), `unit` (the unit's code, or the
  commune's code for a commune workbook), `kind` ("unit" or "commune"), `generated_at` (ISO
  time). A `campaign` or `unit` other than the ones being imported rejects the file; another
  `appendix_version` is a warning. A workbook without `_meta` is read all the same.
- Cells go through the appendix declaration: `appendix.normalize.normalize_value` and the record
  rules of `appendix.validation.clean_record` (see `reading.cleaning`), so the rules are exactly
  those of the web forms. Dates in number columns are errors ("là ngày tháng, không phải là số").

The commune workbook (the layout `template.write_commune_template` writes and this reads):

- The same sheets as a unit workbook.
- B01 `Thông tin chung`: one column per unit. Labels in one column (the template: `#` in A,
  labels in B); the line `Mã đơn vị` holds each unit's code in its own column to the right of
  the labels (C, D, E, ...); every other line holds that unit's value in the same column. The
  template also fills the prefilled lines (name, block, level) of each column.
- A label/value sheet a version added: like B01, one column per unit, named by a line `Mã đơn vị`
  (the template writes it as the sheet's first line).
- B02–B06 and added tables: the usual header plus a `Mã đơn vị` column (anywhere; the template puts it right
  after STT) routing each row to one of the commune's units. A `Tên đơn vị` (or `Tên cơ quan,
  đơn vị`) column may sit beside it for the reader's convenience; it is not read.
- A row or a B01 column whose code is empty or not one of the commune's units assigned in the
  campaign is an error naming the code. A unit is imported when the file holds something of its
  own (a B01 value other than its name, code, block and level, or a table row); a unit whose
  column holds only those is left as it is (a warning says so).
- A unit workbook may carry a `Mã đơn vị` column too (a filtered consolidated export): empty
  cells mean the unit itself, another unit's code is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasoat.appendix.declaration import Context, UnitInfo, get_appendix
from rasoat.workbooks.reading.results import (
    CellIssue,
    UnitImport,
    WorkbookImport,
    WorkbookRejected,
)
from rasoat.workbooks.reading.routing import Routing, Target
from rasoat.workbooks.reading.workbook import Scope, read_workbook

__all__ = [
    "CellIssue",
    "UnitImport",
    "WorkbookImport",
    "WorkbookRejected",
    "read_commune_workbook",
    "read_unit_workbook",
]


def _target(unit, campaign) -> Target:
    return Target(
        code=unit.code,
        name=unit.name,
        context=Context.for_date(campaign.reference_date, UnitInfo.from_unit(unit)),
    )


def read_unit_workbook(source: Any, filename: str, assignment) -> WorkbookImport:
    """Read the workbook of one unit (`assignment`: its campaign and unit).

    `source` is a path, bytes or a binary file object (a Django upload). Raises WorkbookRejected.
    """
    campaign, unit = assignment.campaign, assignment.unit
    target = _target(unit, campaign)
    commune = unit.commune if unit.commune_id and unit.commune_id != unit.pk else None
    scope = Scope(
        campaign_code=campaign.code,
        appendix=get_appendix(campaign.appendix_version),
        reference_date=campaign.reference_date,
        routing=Routing([target], default=target),
        code=unit.code,
        name=unit.name,
        commune_code=commune.code if commune else None,
    )
    return read_workbook(source, filename, scope)


def read_commune_workbook(
    source: Any, filename: str, campaign, commune, assignments: Iterable
) -> WorkbookImport:
    """Read a commune workbook: rows routed by their "Mã đơn vị" to the units of `assignments`
    (the commune's assignments in `campaign`; no other unit may be targeted). Raises WorkbookRejected.
    """
    targets = [_target(assignment.unit, campaign) for assignment in assignments]
    scope = Scope(
        campaign_code=campaign.code,
        appendix=get_appendix(campaign.appendix_version),
        reference_date=campaign.reference_date,
        routing=Routing(targets, default=None, commune_code=commune.code),
        code=commune.code,
        name=commune.name,
    )
    return read_workbook(source, filename, scope)
