"""Who issues a report and how its heading reads (Decree 30/2020/NĐ-CP; Party documents for the Party
block).

A document's heading names the issuing body under its directly superior body, the number and symbol,
and the place and date. The registry knows the bodies; the wording rules live here so that every
report kind heads the same way. Everything is plain text: a clerk may still edit the .docx.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from rasoat.orgs.models import Block, Kind, Level, Unit

DEPARTMENT_CODE = "T.SKHCN"
"""The registry code of the Department of Science and Technology, which consolidates and issues the
province-wide documents."""
DEPARTMENT_NAME = "Sở Khoa học và Công nghệ"
DIVISION_SYMBOL = "BCVT"
"""The drafting division in a dispatch's symbol (Phòng Bưu chính, Viễn thông, CNTT): "…/SKHCN-BCVT"."""
PROVINCE_NAME = "Tỉnh Lai Châu"
"""Used only when the registry has no province node."""

# Words left out of a symbol: conjunctions and the level words of a name ("... xã Mường Kim").
_SKIPPED_WORDS = {"và", "tỉnh", "xã", "phường"}
_LEVEL_WORD = re.compile(r" (XÃ|PHƯỜNG|TỈNH)\b(?!.* (XÃ|PHƯỜNG|TỈNH)\b)")
HEADING_LINE = 26
"""Capitals that fit on one line of the issuer's column (12 pt bold in 75 mm)."""
_PLACE_PREFIX = re.compile(r"^(tỉnh|thành phố|xã|phường|thị trấn)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Heading:
    """The heading of one document: issuer at left, national or Party title at right."""

    party: bool
    superior: str
    issuer: str
    number: str
    place_date: str
    summary: str = ""
    """The subject line under the number ("V/v …"), for dispatches only."""

    def as_context(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Signature:
    """The signing block: the authority ("KT. GIÁM ĐỐC", "TM. …"), the position, the signer's name."""

    authority: str
    title: str
    name: str = ""

    def as_context(self) -> dict:
        return asdict(self)


def upper(text: str) -> str:
    """Vietnamese upper case as headings write it (str.upper keeps the diacritics)."""
    return " ".join(text.split()).upper()


def heading_lines(name: str) -> str:
    """A body's name in capitals, broken before its place ("ỦY BAN NHÂN DÂN" / "XÃ MƯỜNG KIM") when it
    would not fit on one line of the heading, as offices write it; docxtpl turns the newline into a
    line break."""
    if len(name) <= HEADING_LINE:
        return name
    match = _LEVEL_WORD.search(name)
    return f"{name[: match.start()]}\n{name[match.start() + 1 :]}" if match else name


def place_name(name: str) -> str:
    """The place in "Lai Châu, ngày …": the administrative name without its level word."""
    return _PLACE_PREFIX.sub("", name.strip())


def province() -> Unit | None:
    """The root of the registry (the province node)."""
    return Unit.objects.filter(kind=Kind.PROVINCE, parent__isnull=True).order_by("pk").first()


def province_name() -> str:
    root = province()
    return root.name if root else PROVINCE_NAME


def department() -> Unit | None:
    return Unit.objects.filter(code=DEPARTMENT_CODE).select_related("parent", "commune").first()


def department_name() -> str:
    unit = department()
    return unit.name if unit else DEPARTMENT_NAME


def _strip_places(name: str, places: list[str]) -> str:
    for place in places:
        if place:
            name = re.sub(re.escape(place), "", name, flags=re.IGNORECASE)
    return name


def symbol(unit_name: str, places: list[str] = ()) -> str:
    """Initials of a body's name for its document symbol: "Sở Khoa học và Công nghệ" → "SKHCN",
    "Ủy ban nhân dân xã Mường Kim" → "UBND" (the place names are left out)."""
    words = re.findall(r"\w+", _strip_places(unit_name, list(places)))
    return "".join(_bare(word[0]).upper() for word in words if word.casefold() not in _SKIPPED_WORDS)


def _bare(letter: str) -> str:
    """A letter without its tone and vowel marks ("Ủ" → "U"); "Đ" stays, it is a letter of its own."""
    return "".join(ch for ch in unicodedata.normalize("NFD", letter) if unicodedata.category(ch) != "Mn")


def _is_provincial_party_board(unit: Unit) -> bool:
    return unit.name.casefold().endswith("tỉnh ủy")


def issuer_lines(unit: Unit, province_label: str) -> tuple[str, str]:
    """(superior body, issuing body) in capitals; the superior is empty when there is none.

    Party-block units head under the provincial Party organisation; a subordinate unit under its
    parent; a provincial People's Committee agency under "UBND TỈNH …"; a commune one-stop point
    under the commune's People's Committee.
    """
    parent = unit.parent if unit.parent_id else None
    if unit.block == Block.PARTY:
        if _is_provincial_party_board(unit):
            board = unit.name[: -len("tỉnh ủy")].strip()
            return f"TỈNH ỦY {upper(place_name(province_label))}", upper(board)
        return f"ĐẢNG BỘ {upper(province_label)}", upper(unit.name)
    if parent is not None and parent.kind in (Kind.AGENCY, Kind.SUBUNIT, Kind.ONE_STOP):
        return upper(parent.name), upper(unit.name)
    if unit.kind == Kind.ONE_STOP and unit.level == Level.COMMUNE and unit.commune_id:
        return f"UBND {upper(unit.commune.name)}", upper(unit.name)
    if unit.level == Level.PROVINCE and unit.block == Block.COMMITTEE:
        return f"UBND {upper(province_label)}", upper(unit.name)
    return "", upper(unit.name)


def unit_place(unit: Unit, province_label: str) -> str:
    """Where a unit's documents are dated: its commune, or the province."""
    if unit.level == Level.COMMUNE and unit.commune_id:
        return place_name(unit.commune.name)
    return place_name(province_label)


def date_line(place: str, year: int) -> str:
    """Place and date with the day and month left for the clerk to fill in on signing."""
    return f"{place}, ngày      tháng      năm {year}"


def number_line(unit: Unit | None, province_label: str, *, kind: str, party: bool) -> str:
    """ "Số:      /BC-SKHCN" (state bodies) or "Số      -BC/ĐU" (Party bodies); dispatches (kind "CV")
    carry no type letters: "Số:      /SKHCN-BCVT"."""
    places = [province_label, place_name(province_label)]
    if unit is not None and unit.commune_id:
        places += [unit.commune.name, place_name(unit.commune.name)]
    name = unit.name if unit is not None else DEPARTMENT_NAME
    if party and unit is not None and _is_provincial_party_board(unit):
        # "Văn phòng Tỉnh ủy" → "VPTU": the board's initials, then TU for the provincial committee.
        abbreviation = symbol(unit.name[: -len("tỉnh ủy")], places) + "TU"
    else:
        abbreviation = symbol(name, places)
    if party:
        return f"Số      -{kind}/{abbreviation}"
    if kind == "CV":
        return f"Số:      /{abbreviation}-{DIVISION_SYMBOL}"
    return f"Số:      /{kind}-{abbreviation}"


def unit_heading(unit: Unit, year: int, *, kind: str = "BC", summary: str = "") -> Heading:
    """The heading of a document issued by `unit` (load it with parent and commune)."""
    label = province_name()
    party = unit.block == Block.PARTY
    superior, issuer = issuer_lines(unit, label)
    return Heading(
        party=party,
        superior=superior,
        issuer=heading_lines(issuer),
        number=number_line(unit, label, kind=kind, party=party),
        place_date=date_line(unit_place(unit, label), year),
        summary=summary,
    )


def department_heading(year: int, *, kind: str = "BC", summary: str = "") -> Heading:
    """The heading of the department's documents: province report, reminder, request."""
    label = province_name()
    unit = department()
    if unit is not None:
        superior, issuer = issuer_lines(unit, label)
    else:
        superior, issuer = f"UBND {upper(label)}", upper(DEPARTMENT_NAME)
    return Heading(
        party=False,
        superior=superior,
        issuer=heading_lines(issuer),
        number=number_line(unit, label, kind=kind, party=False),
        place_date=date_line(place_name(label), year),
        summary=summary,
    )


def unit_signature(unit: Unit) -> Signature:
    """The usual signing authority of a unit's report; the clerk corrects it where it differs."""
    if unit.level == Level.COMMUNE and unit.kind == Kind.AGENCY:
        by_block = {
            Block.PARTY: Signature("T/M ĐẢNG ỦY", "BÍ THƯ"),
            Block.COUNCIL: Signature("TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH"),
            Block.COMMITTEE: Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
            Block.FRONT: Signature("TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH"),
        }
        if unit.block in by_block:
            return by_block[unit.block]
    if unit.name.startswith(("Sở ", "Trung tâm ")):
        return Signature("", "GIÁM ĐỐC")
    return Signature("", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")
