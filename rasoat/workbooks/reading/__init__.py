"""The parts of the workbook reader; the public entry points are in `rasoat.workbooks.reader`."""
