"""Producing a report: which kinds exist, their file names, and the .docx (or PDF) of one.

The web view and the `rasoat report` command both call `generate`; scope checks happen before, in
the view (the command is run by an administrator on the server).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone, translation

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Unit
from rasoat.reports import context, render

UNIT, COMMUNE, PROVINCE, REMINDER, REQUEST = "unit", "commune", "province", "reminder", "request"
KINDS = (UNIT, COMMUNE, PROVINCE, REMINDER, REQUEST)
GLOBAL_KINDS = (PROVINCE, REMINDER, REQUEST)
"""Kinds about the whole province: only users whose scope is the whole province produce them."""


@dataclass(frozen=True)
class Report:
    """A produced file, ready to be sent or written."""

    filename: str
    content: bytes
    content_type: str


def filename(kind: str, campaign: Campaign, code: str | None = None, *, pdf: bool = False) -> str:
    """bao-cao-RS2026-X.03637.UB.docx, bao-cao-RS2026-tinh.docx, cong-van-don-doc-RS2026.docx, …"""
    stem = {
        UNIT: f"bao-cao-{campaign.code}-{code}",
        COMMUNE: f"bao-cao-{campaign.code}-{code}",
        PROVINCE: f"bao-cao-{campaign.code}-tinh",
        REMINDER: f"cong-van-don-doc-{campaign.code}",
        REQUEST: f"cong-van-de-nghi-ra-soat-{campaign.code}",
    }[kind]
    return f"{stem}.{'pdf' if pdf else 'docx'}"


def build_context(
    kind: str,
    campaign: Campaign,
    *,
    assignment: Assignment | None = None,
    commune: Unit | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The template context of a report; `assignment` for a unit report, `commune` for a commune's."""
    today = today or timezone.localdate()
    # The document is Vietnamese whatever the user's (or the command's) language.
    with translation.override("vi"):
        if kind == UNIT:
            if assignment is None:
                raise ValueError("a unit report needs an assignment")
            return context.unit_context(assignment, today)
        if kind == COMMUNE:
            if commune is None:
                raise ValueError("a commune report needs a commune")
            return context.commune_context(campaign, commune, today)
        builders = {
            PROVINCE: context.province_context,
            REMINDER: context.reminder_context,
            REQUEST: context.request_context,
        }
        if kind not in builders:
            raise ValueError(f"unknown report kind {kind!r}")
        return builders[kind](campaign, today)


def generate(
    kind: str,
    campaign: Campaign,
    *,
    assignment: Assignment | None = None,
    commune: Unit | None = None,
    pdf: bool = False,
    today: datetime.date | None = None,
) -> Report:
    """The report as .docx, or as PDF through LibreOffice (`render.ReportError` when that fails)."""
    data = build_context(kind, campaign, assignment=assignment, commune=commune, today=today)
    content = render.render_docx(kind, data)
    code = assignment.unit.code if assignment is not None else (commune.code if commune is not None else None)
    if pdf:
        return Report(
            filename(kind, campaign, code, pdf=True), render.docx_to_pdf(content), render.PDF_CONTENT_TYPE
        )
    return Report(filename(kind, campaign, code), content, render.DOCX_CONTENT_TYPE)
