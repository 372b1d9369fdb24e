"""What every report context shares: text formatting, the campaign, and the sections of the state of
a set of units (connectivity, devices, software, proposals, the estimate, findings).

Figures come from SQL aggregates (`reports.figures`, and the assessment's stored findings, scores and
needs); these functions only turn them into text the Vietnamese way (1.234,5; dd/mm/yyyy) and into
table rows. The words of a report are fixed Vietnamese whatever the user's language: a report is an
official document of a Vietnamese body.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Min, QuerySet, Sum

from rasoat.appendix.declaration import get_appendix
from rasoat.assessment.models import Finding, Need
from rasoat.assessment.services import config_for
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.models import GeneralInfo
from rasoat.reports import figures, heading
from rasoat.reports.heading import Signature

BASE_TITLE = "Kết quả rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối"
SUBJECT = "rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối"
STEERING_COMMITTEE = "Ban Chỉ đạo tỉnh về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"
NOT_GIVEN = "chưa kê khai"
NO_OPINION = "Không có ý kiến."
SEVERITIES = {"high": "Cao", "medium": "Trung bình", "low": "Thấp"}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
NEED_KINDS = {"replace": "Thay thế", "upgrade": "Nâng cấp", "add": "Bổ sung mới"}
RULE_TITLES = {
    "D-AGE": "Máy tính hết thời gian sử dụng",
    "D-AGE-OTHER": "Máy in, máy quét, máy chiếu đã cũ",
    "D-OS": "Hệ điều hành không còn được hỗ trợ",
    "D-OS-LIC": "Hệ điều hành không có bản quyền",
    "D-AV": "Không có phần mềm phòng chống mã độc",
    "D-RAM": "Máy tính cấu hình thấp (RAM)",
    "D-HDD": "Máy tính chỉ có ổ cứng HDD",
    "D-BROKEN": "Thiết bị hỏng",
    "D-WORN": "Thiết bị xuống cấp",
    "N-TSLCD": "Chưa kết nối mạng TSLCD",
    "N-BW": "Băng thông Internet thấp",
    "N-INADEQ": "Đường truyền chưa đáp ứng",
    "N-LAN": "Chưa có mạng LAN",
    "S-SEC": "Chưa xác định cấp độ an toàn hệ thống thông tin",
    "S-IDLE-COST": "Trả phí duy trì cho phần mềm không sử dụng",
    "S-NO-DOC": "Chưa sử dụng hệ thống quản lý văn bản",
    "P-RATIO": "Thiếu máy tính so với số cán bộ",
    "P-ONESTOP": "Bộ phận một cửa thiếu thiết bị tối thiểu",
    "Q-STAFF": "Chưa có người làm CNTT",
}
"""The short message of each rule (ASSESSMENT.md), for tables that count findings across units."""
TOP_FINDINGS = 5
SCORE_FIELDS = ("connectivity", "infrastructure", "software", "devices", "overall")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- text ----------------------------------------------------------------------------------------------


def fmt(value: Any, places: int | None = None) -> str:
    """A number the Vietnamese way: 1.234 and 1.234,5 (at most `places` decimals); None is ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        value = value.normalize()
        if value == value.to_integral_value():
            value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    whole, _dot, fraction = format(value, "f").partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")


def percent(part: int, whole: int) -> str:
    return fmt(Decimal(part * 100) / whole, 1) if whole else "0"


def clean(text: Any) -> str:
    """User text without the control characters a .docx cannot hold."""
    return _CONTROL.sub("", str(text or "")).strip()


def paragraphs(text: Any, empty: str = NO_OPINION) -> str:
    """Long text: each line becomes its own paragraph in the document (docxtpl's \\a)."""
    lines = [line.strip() for line in clean(text).replace("\a", "").splitlines() if line.strip()]
    return "\a".join(lines) if lines else empty


def date_text(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def score_text(value) -> str:
    return fmt(value, 1) if value is not None else "—"


# --- common parts ---------------------------------------------------------------------------------------


def contact_text(campaign: Campaign) -> str:
    parts = [campaign.contact_division, campaign.contact_person]
    if campaign.contact_phone:
        parts.append(f"điện thoại {campaign.contact_phone}")
    if campaign.contact_email:
        parts.append(f"thư điện tử {campaign.contact_email}")
    return ", ".join(clean(part) for part in parts if part) or heading.department_name()


def campaign_context(campaign: Campaign) -> dict[str, str]:
    return {
        "code": campaign.code,
        "title": clean(campaign.title),
        "legal_basis": clean(campaign.legal_basis),
        "deadline": date_text(campaign.deadline),
        "reference_date": date_text(campaign.reference_date),
        "opened_on": date_text(campaign.opened_on),
        "appendix_version": campaign.appendix_version,
    }


def basis(campaign: Campaign, *, requested: bool) -> str:
    """What a document answers: the legal basis, and for the units' reports the department's request."""
    request = f"đề nghị của {heading.department_name()} về việc {lower_first(clean(campaign.title))}"
    legal = clean(campaign.legal_basis)
    if requested:
        return f"{legal} và {request}" if legal else request
    return legal or f"kế hoạch {lower_first(clean(campaign.title))}"


def common(campaign: Campaign, *, title: str, head: heading.Heading, signature: Signature) -> dict[str, Any]:
    return {
        "doc_title": title,
        "title": title,
        "heading": head.as_context(),
        "signature": signature.as_context(),
        "campaign": campaign_context(campaign),
        "department": heading.department_name(),
        "province": lower_first(heading.province_name()),
        "contact": contact_text(campaign),
    }


# --- sections shared by the unit and commune reports ---------------------------------------------------


def general_context(assignment: Assignment) -> dict[str, str]:
    """B01 as sentences need it: numbers formatted, yes/no as written, long texts as paragraphs."""
    info = GeneralInfo.objects.filter(assignment=assignment).first()

    def value(key: str) -> str:
        raw = getattr(info, key, None) if info else None
        return (
            NOT_GIVEN if raw is None or raw == "" else (fmt(raw) if not isinstance(raw, str) else clean(raw))
        )

    result = {
        key: value(key)
        for key in (
            "staff_total",
            "it_staff_fulltime",
            "it_staff_parttime",
            "has_lan",
            "has_wifi",
            "has_server_room",
            "has_one_stop",
        )
    }
    result["lan_points"] = fmt(info.lan_points) if info and info.lan_points else ""
    for key in ("overall_assessment", "difficulties", "proposals"):
        result[key] = paragraphs(getattr(info, key, None) if info else None)
    return result


def links_context(assignments: QuerySet[Assignment]) -> dict[str, Any]:
    rows = figures.link_rows(assignments)
    return {
        "rows": [
            {
                "unit": clean(row["unit"]),
                "link_type": clean(row["link_type"]),
                "provider": clean(row["provider"]),
                "bandwidth": fmt(row["bandwidth_mbps"]),
                "quantity": fmt(row["quantity"]),
                "adequacy": clean(row["adequacy"]),
                "shared": clean(row["shared"]),
            }
            for row in rows
        ],
        "lines": fmt(sum(row["quantity"] or 0 for row in rows)),
        "internet": fmt(figures.internet_bandwidth(assignments)),
        "tslcd": any(row["link_type"] == figures.TSLCD for row in rows),
    }


def _device_rows(rows: list[dict], totals: dict) -> dict[str, Any]:
    return {
        "rows": [
            {
                "device_type": clean(row["device_type"]),
                **{k: fmt(row[k]) for k in ("quantity", "good", "worn", "broken")},
            }
            for row in rows
        ],
        "total": {k: fmt(totals[k]) for k in ("quantity", "good", "worn", "broken")},
    }


def infra_context(assignments: QuerySet[Assignment], appendix) -> dict[str, Any]:
    return _device_rows(*figures.infra_by_type(assignments, appendix))


def devices_context(assignments: QuerySet[Assignment], appendix) -> dict[str, Any]:
    return _device_rows(*figures.end_devices_by_type(assignments, appendix))


def software_context(assignments: QuerySet[Assignment]) -> dict[str, Any]:
    counts = figures.software_counts(assignments)
    return {
        "rows": [
            {key: clean(value) for key, value in row.items()} for row in figures.software_rows(assignments)
        ],
        **{key: fmt(value) for key, value in counts.items()},
    }


def computers_context(assignments: QuerySet[Assignment], campaign: Campaign, appendix) -> dict[str, Any]:
    config = config_for(campaign).as_rules_config()
    unsupported = [os for os, ended in config.windows_end.items() if ended <= campaign.reference_date]
    numbers = figures.computers(
        assignments,
        reference_year=campaign.reference_date.year,
        max_age=config.computer_max_age,
        min_ram=config.min_ram_gb,
        unsupported=unsupported,
    )
    return {
        **{key: fmt(value) for key, value in numbers.items()},
        "max_age": fmt(config.computer_max_age),
        "min_ram": fmt(config.min_ram_gb),
        "by_os": [
            {"os": clean(row["os"]) or "Chưa kê khai", "quantity": fmt(row["quantity"])}
            for row in figures.computers_by_os(assignments, appendix)
        ],
        "unsupported_labels": unsupported,
    }


def proposals_context(assignments: QuerySet[Assignment]) -> dict[str, Any]:
    return {
        "rows": [
            {
                "unit": clean(row["unit"]),
                "item": clean(row["item"]),
                "area": clean(row["area"]),
                "kind": clean(row["kind"]),
                "quantity": fmt(row["quantity"]),
                "budget": fmt(row["budget_mvnd"]),
                "year": str(row["target_year"] or ""),
            }
            for row in figures.proposal_rows(assignments)
        ],
        "total_budget": fmt(figures.proposal_budget(assignments)),
    }


def needs_context(assignments: QuerySet[Assignment]) -> dict[str, Any]:
    """The estimate summed per kind and item (unit price shown when one price applies)."""
    rows = figures.renamed(
        Need.objects.filter(assignment__in=assignments)
        .order_by()
        .values("kind", "item")
        .annotate(sum_quantity=Sum("quantity"), cost=Sum("cost_mvnd"), price=Min("unit_price_mvnd")),
        sum_quantity="quantity",
    )
    kinds = list(NEED_KINDS)
    rows.sort(key=lambda row: (kinds.index(row["kind"]) if row["kind"] in kinds else 9, row["item"]))
    totals = Need.objects.filter(assignment__in=assignments).aggregate(
        quantity=Sum("quantity"), cost=Sum("cost_mvnd")
    )
    return {
        "rows": [
            {
                "kind": NEED_KINDS.get(row["kind"], row["kind"]),
                "item": clean(row["item"]),
                "quantity": fmt(row["quantity"]),
                "unit_price": fmt(row["price"]),
                "cost": fmt(row["cost"]),
            }
            for row in rows
        ],
        "total_quantity": fmt(totals["quantity"] or 0),
        "total_cost": fmt(totals["cost"] or 0),
    }


def findings_summary(assignments: QuerySet[Assignment], limit: int | None = None) -> list[dict[str, str]]:
    """Per rule: severity, units concerned, quantity — most severe first, then most widespread."""
    rows = figures.renamed(
        Finding.objects.filter(assignment__in=assignments)
        .order_by()
        .values("rule", "severity")
        .annotate(
            units=Count("assignment", distinct=True),
            sum_quantity=Sum("quantity"),
            first_message=Min("message"),
        ),
        sum_quantity="quantity",
        first_message="message",
    )
    rows.sort(key=lambda row: (SEVERITY_ORDER.get(row["severity"], 9), -row["units"], -row["quantity"]))
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "rule": row["rule"],
            "message": RULE_TITLES.get(row["rule"], clean(row["message"])),
            "severity": SEVERITIES.get(row["severity"], row["severity"]),
            "units": fmt(row["units"]),
            "quantity": fmt(row["quantity"]),
        }
        for row in rows
    ]


def unit_findings(assignment: Assignment) -> dict[str, Any]:
    findings = list(
        Finding.objects.filter(assignment=assignment).values(
            "rule", "severity", "sheet", "row", "quantity", "message"
        )
    )
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["sheet"], f["row"] or 0))
    return {
        "rows": [
            {
                "message": clean(f["message"]),
                "severity": SEVERITIES.get(f["severity"], f["severity"]),
                "sheet": f["sheet"],
                "row": str(f["row"] or ""),
                "quantity": fmt(f["quantity"]),
            }
            for f in findings
        ],
        "summary": findings_summary(Assignment.objects.filter(pk=assignment.pk)),
    }


def scores_row(values: dict[str, Any], **extra) -> dict[str, str]:
    return {**extra, **{name: score_text(values.get(name)) for name in SCORE_FIELDS}}


def state_sections(assignments: QuerySet[Assignment], campaign: Campaign) -> dict[str, Any]:
    """Sections I (state) and III (proposals, needs) common to the unit and commune reports."""
    appendix = get_appendix(campaign.appendix_version)
    return {
        "links": links_context(assignments),
        "infra": infra_context(assignments, appendix),
        "software": software_context(assignments),
        "devices": devices_context(assignments, appendix),
        "computers": computers_context(assignments, campaign, appendix),
        "proposals": proposals_context(assignments),
        "needs": needs_context(assignments),
    }
