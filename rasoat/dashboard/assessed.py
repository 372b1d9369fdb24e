"""The figures that come from the assessment app: the most frequent findings and the scores by
commune and by block. Shown only when that app is installed; the aggregates are its own
(`finding_counts`, `score_averages`), computed in SQL over the assignments the dashboard scoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Assignment
from rasoat.dashboard.charts import NONE, NOT_STATED, Category, Chart, Series
from rasoat.orgs.models import Block

# The short messages of ASSESSMENT.md ("message (short)"): fixed Vietnamese text, like the appendix.
RULE_TITLES = {
    "D-AGE": "Hết thời gian sử dụng (5 năm)",
    "D-AGE-OTHER": "Thiết bị đã cũ",
    "D-OS": "Hệ điều hành không còn được hỗ trợ",
    "D-OS-LIC": "Hệ điều hành không có bản quyền",
    "D-AV": "Không có phần mềm phòng chống mã độc",
    "D-RAM": "Cấu hình thấp (RAM dưới 8 GB)",
    "D-HDD": "Chỉ có ổ cứng HDD",
    "D-BROKEN": "Thiết bị hỏng",
    "D-WORN": "Thiết bị xuống cấp",
    "N-TSLCD": "Chưa kết nối mạng TSLCD",
    "N-BW": "Băng thông Internet thấp",
    "N-INADEQ": "Đường truyền chưa đáp ứng",
    "N-LAN": "Chưa có mạng LAN",
    "S-SEC": "Chưa xác định cấp độ an toàn",
    "S-IDLE-COST": "Trả phí duy trì cho phần mềm không sử dụng",
    "S-NO-DOC": "Chưa sử dụng hệ thống quản lý văn bản",
    "P-RATIO": "Thiếu máy tính so với số cán bộ",
    "P-ONESTOP": "Bộ phận một cửa thiếu thiết bị tối thiểu",
    "Q-STAFF": "Chưa có người làm CNTT",
}
SCORE_FIELDS = ("connectivity", "devices", "infrastructure", "software", "overall")
SCORE_LABELS = {
    "connectivity": _("Connectivity"),
    "devices": _("End-user devices"),
    "infrastructure": _("Infrastructure devices"),
    "software": _("Platforms and software"),
    "overall": _("Overall"),
}


def available() -> bool:
    """Whether the assessment app is installed (its sections and drill-downs exist only then)."""
    return apps.is_installed("rasoat.assessment")


def rule_codes() -> tuple[str, ...]:
    from rasoat.assessment.rules import RULE_CODES

    return RULE_CODES


def rule_label(code: str) -> str:
    title = RULE_TITLES.get(code)
    return f"{code} · {title}" if title else code


@dataclass
class Findings:
    """The findings per rule, most frequent first: the chart of counts and the rows of the table."""

    chart: Chart
    rows: list[dict]


def findings(assignments: QuerySet[Assignment]) -> Findings:
    """How many findings of each rule, the quantity they affect and the units concerned (one query)."""
    from rasoat.assessment.services import finding_counts

    order = {code: i for i, code in enumerate(rule_codes())}
    rows = sorted(
        finding_counts(assignments, "province"), key=lambda r: (-r["findings"], order.get(r["rule"], 99))
    )
    for row in rows:
        row["title"] = rule_label(row["rule"])
    categories = [Category(r["rule"] if r["rule"] in order else None, r["title"]) for r in rows]
    data = [r["findings"] for r in rows]
    chart = Chart(
        "findings", _("The most frequent findings"), "bar", _("Findings"), categories,
        [Series(None, _("Findings"), data)],
    )  # fmt: skip
    return Findings(chart, rows)


@dataclass
class Scores:
    """Average scores of one grouping (commune or block): the chart of the overall score, the table."""

    chart: Chart
    rows: list[dict]


def scores(assignments: QuerySet[Assignment], by: str) -> Scores:
    """Average scores per commune or per block over the scored units (one query)."""
    from rasoat.assessment.services import score_averages

    rows = score_averages(assignments, by)
    if by == "block":
        labels = dict(Block.choices)
        order = {value: i for i, value in enumerate(Block.values)}
        rows = [r for r in rows if r["units"]]
        rows.sort(key=lambda r: order.get(r["group"] or "", 99))
        for row in rows:
            row["value"] = row["group"] or NONE
            row["label"] = labels.get(row["group"] or "", str(NOT_STATED))
        title = _("Average scores by block")
    else:
        # Provincial units have no commune: they are left out of this grouping.
        rows = [r for r in rows if r["group"] is not None and r["units"]]
        rows.sort(key=lambda r: r["label"] or "")
        for row in rows:
            row["value"] = str(row["group"])
        title = _("Average scores by commune")
    for row in rows:
        row["values"] = [row[name] for name in SCORE_FIELDS]
    categories = [Category(row["value"], row["label"]) for row in rows]
    data = [_rounded(row["overall"]) for row in rows]
    chart = Chart(
        f"score_{by}", title, "bar", _("Overall score"), categories, [Series(None, _("Overall score"), data)],
        scale_max=100,
    )  # fmt: skip
    return Scores(chart, rows)


def indicators(assignments: QuerySet[Assignment], campaign) -> dict | None:
    """The "Chỉ tiêu" section: the target indicators over these assignments, by scope."""
    from rasoat.assessment.indicators import section

    return section(assignments, campaign)


def _rounded(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.1"))
