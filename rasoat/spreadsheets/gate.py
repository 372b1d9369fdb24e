"""The one gate an uploaded spreadsheet passes before python-calamine opens it."""

from rasoat.spreadsheets import extents, limits


def check_workbook(data: bytes, filename: str) -> str:
    """The workbook's format ("xlsx", "xls" or "ods") once every check that needs no parsing passed:
    the type by content, password protection, the zip's inflated size and ratio (`limits`), then the
    extent of every sheet (`extents`). Raises WorkbookRejected with the reason, in Vietnamese.

    `data` must already be within the size limit (`limits.check_size`).
    """
    kind = limits.check_file(data, filename)
    extents.check_extents(data, kind, filename)
    return kind
