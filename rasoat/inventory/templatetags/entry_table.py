"""The display rows of an entry table: what each stored row shows (`display_rows`) and its HTML
(`{% entry_rows rows %}`).

A unit may have 500 rows of 14 columns; through the template engine that alone takes most of a second,
while the page must render in under 300 ms (issue 3). So the rows, and only they, are built here with
escaped string formatting: one function used by the full page and by every HTMX fragment, so the two
cannot drift apart. Every value is escaped with `html.escape` (text and attributes). No form object
is built per row; only the row being edited gets one.
"""

from datetime import date
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from rasoat.appendix.declaration import ColumnType, Context, Issue, Sheet
from rasoat.appendix.validation import clean_record
from rasoat.inventory.data import record_values
from rasoat.inventory.forms import Notice, display_value

register = template.Library()


def row_url_patterns(campaign_code: str, unit_id: int, sheet: Sheet) -> dict[str, str]:
    """Row URLs as format strings, so 500 rows cost three `reverse` calls, not 1500."""
    marker = "987654321"
    args = [campaign_code, unit_id, sheet.code, int(marker)]
    return {
        key: reverse(name, args=args).replace(marker, "{}")
        for key, name in (
            ("edit", "entry_row_edit"),
            ("duplicate", "entry_row_duplicate"),
            ("delete", "entry_row_delete"),
        )
    }


def display_row(
    sheet: Sheet,
    row,
    issues: list[Issue],
    urls: dict[str, str],
    notice: Notice | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the table shows for one stored row: plain values, errors per cell, warnings apart.

    `values` are the row's values (`record_values`): a column a version added lives in the row's
    `extra`, and a sheet it added in CustomRow, so they are not attributes of the row."""
    keys = sheet.keys
    if values is None:
        values = record_values(row, sheet)
    errors: dict[str, list[str]] = {}
    warnings: list[tuple[str, str]] = []
    row_errors: list[str] = []
    for issue in issues:
        if issue.is_warning:
            header = sheet.column(issue.column).header if sheet.has_column(issue.column or "") else ""
            warnings.append((header, issue.message))
        elif issue.column in keys:
            errors.setdefault(issue.column, []).append(issue.message)
        else:
            row_errors.append(issue.message)
    pk = row.pk
    return {
        "pk": pk,
        "version": row.version,
        "carried": row.carried_forward,
        "cells": [(key, _shown(sheet, key, values.get(key)), errors.get(key)) for key in keys],
        "has_errors": bool(errors or row_errors),
        "row_errors": row_errors,
        "warnings": warnings,
        "notice": notice,
        "edit_url": urls["edit"].format(pk),
        "duplicate_url": urls["duplicate"].format(pk),
        "delete_url": urls["delete"].format(pk),
    }


def display_rows(
    sheet: Sheet, rows, context: Context, urls: dict[str, str], notices: dict[int, Notice] | None = None
) -> list[dict[str, Any]]:
    """The display of stored rows; their issues come from the appendix declaration, in Python (the
    rows are already loaded: no query per row)."""
    notices = notices or {}
    shown = []
    for row in rows:
        values = record_values(row, sheet)
        issues = clean_record(sheet, values, context).issues
        shown.append(display_row(sheet, row, issues, urls, notices.get(row.pk), values))
    return shown


def _shown(sheet: Sheet, key: str, value: Any) -> str:
    """A value as the table shows it; a date (ISO when stored) as day/month/year, as it is typed."""
    if value and sheet.column(key).type == ColumnType.DATE:
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return display_value(value)


def _notice(notice) -> str:
    if notice is None:
        return ""
    testid = "conflict" if notice.conflict else "notice"
    role = "status" if notice.level == "success" else "alert"
    return (
        f'<div class="alert alert-{escape(notice.level)} py-1 px-2 mb-0" role="{role}" '
        f'data-testid="{testid}">{escape(notice.text)}</div>'
    )


def _actions(row: dict, labels: dict) -> str:
    pk, version = row["pk"], row["version"]
    edit, duplicate, delete = (escape(row[key]) for key in ("edit_url", "duplicate_url", "delete_url"))
    target = f'hx-target="#row-{pk}" hx-swap="outerHTML"'
    return (
        '<div class="d-flex flex-column flex-sm-row gap-1">'
        f'<a class="btn btn-sm btn-outline-primary" href="{edit}" hx-get="{edit}" {target} '
        f'data-testid="edit-row">{labels["edit"]}</a> '
        f'<button type="submit" form="row-actions" formaction="{duplicate}" '
        f'class="btn btn-sm btn-outline-secondary" hx-post="{duplicate}" {target} '
        f'data-testid="duplicate-row">{labels["duplicate"]}</button> '
        f'<button type="submit" form="row-actions" formaction="{delete}" name="version" value="{version}" '
        f'class="btn btn-sm btn-outline-danger" hx-post="{delete}" '
        f'hx-vals=\'{{"version": "{version}"}}\' hx-confirm="{labels["confirm_delete"]}" {target} '
        f'data-testid="delete-row">{labels["delete"]}</button></div>'
    )


def render_row(row: dict, labels: dict, can_edit: bool, note_span: int) -> str:
    """One stored row as a <tbody>: the values, errors in their cell, warnings in a note below."""
    pk = row["pk"]
    parts = [
        f'<tbody id="row-{pk}" class="entry-row" data-testid="row-{pk}" data-version="{row["version"]}">'
        '<tr><th scope="row" class="entry-stt fw-normal text-muted">'
    ]
    if row["carried"]:
        parts.append(
            f' <span class="badge text-bg-secondary" data-testid="carried-forward">{labels["carried"]}</span>'
        )
    parts.append("</th>")
    # Actions come first: on a phone they are reachable without scrolling the table sideways, and
    # the row's form then opens where the user is looking.
    actions = _actions(row, labels) if can_edit else ""
    parts.append(f'<td class="entry-actions">{actions}</td>')
    for key, text, errors in row["cells"]:
        if errors:
            messages = "".join(
                f'<div class="small text-danger" data-testid="cell-error-{key}">{escape(m)}</div>'
                for m in errors
            )
            parts.append(f'<td data-testid="cell-{key}" class="table-danger">{escape(text)}{messages}</td>')
        else:
            parts.append(f'<td data-testid="cell-{key}">{escape(text)}</td>')
    parts.append("</tr>")
    if row["row_errors"] or row["warnings"]:
        note = "".join(
            f'<div class="small text-danger" data-testid="row-error">{escape(m)}</div>'
            for m in row["row_errors"]
        )
        if row["warnings"]:
            items = "".join(
                f'<div>⚠ <span class="fw-semibold">{escape(header)}:</span> {escape(m)}</div>'
                if header
                else f"<div>⚠ {escape(m)}</div>"
                for header, m in row["warnings"]
            )
            note += (
                '<div class="alert alert-warning small py-1 px-2 mb-0" role="note" '
                f'data-testid="row-warning">{items}</div>'
            )
        parts.append(f'<tr class="entry-note"><td></td><td colspan="{note_span}">{note}</td></tr>')
    if row["notice"] is not None:
        parts.append(
            f'<tr class="entry-note"><td></td><td colspan="{note_span}">{_notice(row["notice"])}</td></tr>'
        )
    parts.append("</tbody>")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def entry_rows(context, rows) -> str:
    """All display rows; labels, permissions and the note's column span come from the page context."""
    labels = {key: escape(str(value)) for key, value in context["labels"].items()}
    can_edit, note_span = context["can_edit"], context["note_span"]
    return mark_safe("\n".join(render_row(row, labels, can_edit, note_span) for row in rows))
