"""Filling a .docx template with docxtpl, and turning a .docx into PDF with LibreOffice.

The templates live in `docx/` beside this module (built by scripts/build_report_templates.py). A
deployment may keep its own edited copies (a clerk opens one in Word, changes the wording, keeps the
{{ }} and {% %} tags) in the folder of the REPORTS_TEMPLATE_DIR setting: a file there named like a
built-in one (unit.docx, province.docx, …) is used instead of it.

LibreOffice runs headless with a private profile in a temporary folder, so parallel conversions and
the server's own user never share a profile, and under a time limit (REPORTS_PDF_TIMEOUT seconds).
Every failure becomes a `ReportError` with a Vietnamese message for the user.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from docx.opc.exceptions import OpcError
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from lxml.etree import XMLSyntaxError

from rasoat import tempfiles

TEMPLATES = Path(__file__).resolve().parent / "docx"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
DEFAULT_TIMEOUT = 120
# Characters XML 1.0 cannot hold; \t, \n and docxtpl's paragraph mark \a are kept.
_INVALID_XML = re.compile(r"[\x00-\x06\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ReportError(Exception):
    """A report could not be produced; `str()` is the message for the user."""


def template_path(kind: str) -> Path:
    """The deployment's own template of `kind` when it has one, else the built-in one."""
    custom = getattr(settings, "REPORTS_TEMPLATE_DIR", None)
    if custom and (Path(custom) / f"{kind}.docx").exists():
        return Path(custom) / f"{kind}.docx"
    return TEMPLATES / f"{kind}.docx"


def xml_safe(value):
    """The context with every string stripped of characters a .docx cannot hold (a control character
    pasted from Excel would otherwise make Word refuse the file)."""
    if isinstance(value, str):
        return _INVALID_XML.sub("", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    return value


def render_docx(kind: str, context: dict) -> bytes:
    """The template of `kind` filled with `context` (values are escaped for XML)."""
    path = template_path(kind)
    if not path.exists():
        raise ReportError(_("The report template %(name)s is missing.") % {"name": path.name})
    try:
        document = DocxTemplate(path)
        document.render(xml_safe(context), autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
    except TemplateError as error:
        # A tag broken while editing the template in Word: say which file and what.
        raise ReportError(
            _("The report template %(name)s has an error in its tags: %(error)s")
            % {"name": path.name, "error": error}
        ) from None
    except (OpcError, zipfile.BadZipFile, KeyError, XMLSyntaxError, ValueError) as error:
        raise ReportError(
            _("The report template %(name)s is not a valid Word document (%(error)s).")
            % {"name": path.name, "error": error}
        ) from None
    return buffer.getvalue()


def soffice_path() -> str | None:
    """The LibreOffice program, or None when it is not installed (the PDF button is then hidden)."""
    return shutil.which(getattr(settings, "REPORTS_SOFFICE", "soffice"))


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(content: bytes, *, timeout: int | None = None) -> bytes:
    """Convert a .docx to PDF with LibreOffice headless.

    Fonts the document names but the machine lacks (Times New Roman) are replaced by LibreOffice with
    metric-compatible ones (Liberation Serif), so the layout does not move.
    """
    program = soffice_path()
    if program is None:
        raise ReportError(_("PDF is not available: LibreOffice is not installed on the server."))
    timeout = timeout or getattr(settings, "REPORTS_PDF_TIMEOUT", DEFAULT_TIMEOUT)
    # In this process's scratch folder: a worker killed mid-conversion leaves nothing for good.
    with tempfiles.scratch(prefix="pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(content)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            # LibreOffice's own temporary files go to the same folder.
            env = {**os.environ, "TMPDIR": str(work)}
            subprocess.run(command, capture_output=True, timeout=timeout, check=False, cwd=work, env=env)
        except subprocess.TimeoutExpired:
            raise ReportError(
                _(
                    "Converting to PDF took longer than %(seconds)s seconds and was stopped. Download the "
                    ".docx file instead, or try again later."
                )
                % {"seconds": timeout}
            ) from None
        except OSError as error:
            raise ReportError(_("LibreOffice could not be started (%(error)s).") % {"error": error}) from None
        result = work / "report.pdf"
        if not result.exists() or result.stat().st_size == 0:
            raise ReportError(
                _("LibreOffice could not convert the report to PDF. Download the .docx file instead.")
            )
        return result.read_bytes()
