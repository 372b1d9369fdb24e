"""The refusal of an uploaded spreadsheet as a whole."""


class WorkbookRejected(Exception):
    """The file as a whole cannot be read: not a workbook, damaged/truncated, password-protected,
    past a limit (size on disk, uncompressed size, extent of a sheet, rows), no recognisable appendix
    sheet, only the instructions sheet, or a _meta naming another unit/campaign. `message` is
    Vietnamese, for the user.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
