"""Workbook pages: templates and uploads (transfer.py), the consolidated export (export.py)."""

from rasoat.workbooks.views.export import export
from rasoat.workbooks.views.transfer import (
    commune_template,
    commune_upload,
    unit_template,
    unit_upload,
    upload_cancel,
    upload_confirm,
    upload_errors,
    upload_file,
    upload_preview,
)

__all__ = [
    "commune_template",
    "commune_upload",
    "export",
    "unit_template",
    "unit_upload",
    "upload_cancel",
    "upload_confirm",
    "upload_errors",
    "upload_file",
    "upload_preview",
]
