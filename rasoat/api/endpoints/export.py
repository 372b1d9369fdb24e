"""The consolidated data of a scope as JSON Lines, streamed in constant memory.

Row for row the data sheets of the consolidated workbook (`workbooks.export.consolidated_sheets`,
the same queries streamed with `iterator(chunk_size=…)`): one line per row of each table sheet and
one per unit of each form sheet, each carrying the unit's code, name, block, level and commune.
Values are keyed by the declared column keys; dates are ISO text (the workbook shows dd/mm/yyyy).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from ninja import Query

from rasoat.api.access import campaign_for, filter_assignments, user_of
from rasoat.api.core import api
from rasoat.api.jsonable import number
from rasoat.api.problems import responses
from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.spec import ColumnType
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.workbooks.export import consolidated_sheets

CONTENT_TYPE = "application/jsonl; charset=utf-8"
UNIT_KEYS = ("unit", "unit_name", "block", "level", "commune")
DATA_SHEETS_FROM = 2
"""consolidated_sheets gives the summary and the status sheets first, then one per appendix sheet."""


def _iso(value):
    """A date cell of the workbook (dd/mm/yyyy text) as ISO text."""
    if isinstance(value, str) and value:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date().isoformat()
    return value


def lines(campaign: Campaign, assignments) -> Iterator[str]:
    """The JSON Lines of the consolidated data (the caller has scoped `assignments`)."""
    appendix = get_appendix(campaign.appendix_version)
    exported = consolidated_sheets(campaign, assignments)[DATA_SHEETS_FROM:]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for sheet, export in zip(appendix.sheets, exported, strict=True):
        columns = (
            sheet.data_columns if sheet.repeating else tuple(c for c in sheet.data_columns if not c.prefilled)
        )
        keys = ("sheet", *UNIT_KEYS, *(("row",) if sheet.repeating else ()), *(c.key for c in columns))
        first = len(keys) - len(columns)
        # Only decimals and dates need converting; every other cell is already a JSON value.
        conversions = [
            (first + i, _iso if c.type == ColumnType.DATE else number)
            for i, c in enumerate(columns)
            if c.type in (ColumnType.DATE, ColumnType.DEC)
        ]
        for row in export.rows:
            values = [sheet.code, *row]
            for index, convert in conversions:
                values[index] = convert(values[index])
            yield encode(dict(zip(keys, values, strict=True))) + "\n"


def chunks(source: Iterator[str], size: int = 500) -> Iterator[str]:
    """Lines grouped a few hundred at a time: fewer, larger writes to the client."""
    batch: list[str] = []
    for line in source:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


@api.get(
    "/campaigns/{code}/export.jsonl",
    response={200: None, **responses(401, 403, 404, 422, 429)},
    tags=["Xuất dữ liệu"],
    openapi_extra={
        "responses": {
            200: {
                "description": "Một dòng JSON cho mỗi dòng dữ liệu của bảng tổng hợp.",
                "content": {"application/jsonl": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_jsonl(
    request,
    code: str,
    under: str = Query("", description="Mã đơn vị: đơn vị đó và các đơn vị trực thuộc."),
    level: str = "",
    block: str = "",
    commune: str = Query("", description="Mã xã/phường."),
):
    """Every row of the consolidated data the token may export ("export:run"), as JSON Lines."""
    user = user_of(request)
    campaign = campaign_for(request, code)
    assignments = Assignment.objects.visible_to(user, "export:run").filter(campaign=campaign)
    # Units outside the scope are a 404 before the permission is checked, as on the export page.
    assignments = filter_assignments(
        request, assignments, level=level, block=block, commune=commune, under=under, perm="data:view"
    )
    if not user.has_any_perm("export:run"):
        raise PermissionDenied
    response = StreamingHttpResponse(chunks(lines(campaign, assignments)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{campaign.code}.jsonl"'
    return response
