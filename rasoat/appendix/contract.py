"""What the assessment relies on in every version, and the check that a definition keeps it.

The rules of ASSESSMENT.md (`assessment.rules`), the scores (`assessment.scores`) and the needs
estimate (`assessment.needs`) read some columns of some sheets, and compare some of them with
labels. A version may add anything, relabel headers, add choices; it may not remove, hide or retype
a column a rule reads, nor drop a label a rule compares with — the rule would silently stop
finding anything. `READS` declares, once, what each rule reads; the labels come from the constants
the assessment itself compares with, and the types from the 2026.1 declaration, so none of it is
written twice. `tests/appendix/test_definition_contract.py` runs the assessment on recording data
and fails when it reads a key `READS` does not list, or when `READS` lists one nobody reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rasoat.assessment import rules as R
from rasoat.assessment.needs import PRICE_OF_TYPE
from rasoat.assessment.scores import COMPONENTS

from .checks import CHOICES, COLUMNS, SHEETS, Fault, _rows, _text
from .spec import YESNO_CHOICES, ColumnType
from .v2026_1 import APPENDIX as BASE
from .v2026_1 import COMPUTERS

COMPUTER = {"device_type": tuple(COMPUTERS)}


@dataclass(frozen=True)
class Reads:
    """A rule (or score component) reads these keys of a sheet, and compares some with labels.

    `when_present`: the need holds only for a version that declares the first key (the target
    indicators of 2026.2 read columns that 2026.1 does not have; a version with one keeps the rest).
    """

    rule: str
    sheet: str
    keys: tuple[str, ...]
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    when_present: bool = False


def _component(name: str) -> str:
    """The rule a score component belongs to, or the component itself for those without a rule."""
    return COMPONENTS[name][1] or f"điểm phần mềm ({name})"


READS: tuple[Reads, ...] = (
    # --- findings (assessment.rules), in the order of ASSESSMENT.md -----------------------------------
    Reads("D-AGE", "B05", ("device_type", "year_acquired", "quantity"), COMPUTER),
    Reads(
        "D-AGE-OTHER",
        "B05",
        ("device_type", "year_acquired", "quantity"),
        {"device_type": tuple(sorted(R.OTHER_AGED_TYPES))},
    ),
    Reads("D-OS", "B05", ("device_type", "os", "quantity"), {**COMPUTER, "os": tuple(R.DEFAULT_WINDOWS_END)}),
    Reads("D-OS-LIC", "B05", ("device_type", "os_licensed", "quantity"), COMPUTER),
    Reads(
        "D-AV", "B05", ("device_type", "antivirus", "quantity"), {**COMPUTER, "antivirus": (R.NO_ANTIVIRUS,)}
    ),
    Reads("D-RAM", "B05", ("device_type", "ram_gb", "quantity"), COMPUTER),
    Reads("D-HDD", "B05", ("device_type", "disk_type", "quantity"), {**COMPUTER, "disk_type": (R.HDD,)}),
    # The needs estimate names what it replaces by the device type, and prices it by that label.
    Reads("D-BROKEN", "B03", ("condition", "quantity", "device_type"), {"condition": (R.BROKEN,)}),
    Reads(
        "D-BROKEN",
        "B05",
        ("condition", "quantity", "device_type"),
        {"condition": (R.BROKEN,), "device_type": tuple(PRICE_OF_TYPE)},
    ),
    Reads("D-WORN", "B03", ("condition", "quantity"), {"condition": (R.WORN,)}),
    Reads("D-WORN", "B05", ("condition", "quantity", "device_type"), {"condition": (R.WORN,), **COMPUTER}),
    Reads("N-TSLCD", "B02", ("link_type",), {"link_type": (R.TSLCD,)}),
    Reads("N-BW", "B02", ("link_type", "bandwidth_mbps", "quantity"), {"link_type": (R.TSLCD,)}),
    Reads("N-INADEQ", "B02", ("adequacy", "quantity"), {"adequacy": (R.NOT_ADEQUATE,)}),
    Reads("N-LAN", "B01", ("has_lan",)),
    Reads(
        "S-SEC",
        "B04",
        ("scope", "security_level"),
        {"scope": (R.SELF_DEPLOYED,), "security_level": (R.UNDETERMINED,)},
    ),
    Reads("S-IDLE-COST", "B04", ("usage", "annual_cost_mvnd"), {"usage": (R.NOT_USED,)}),
    Reads(
        "S-NO-DOC",
        "B04",
        ("category", "usage"),
        {"category": (R.DOCUMENT_MANAGEMENT,), "usage": (R.NOT_USED,)},
    ),
    Reads("P-RATIO", "B01", ("staff_total",)),
    Reads("P-RATIO", "B05", ("device_type", "condition", "quantity"), {**COMPUTER, "condition": (R.BROKEN,)}),
    Reads("P-ONESTOP", "B01", ("has_one_stop",)),
    Reads(
        "P-ONESTOP",
        "B05",
        ("at_one_stop", "device_type", "condition", "quantity"),
        {
            "device_type": (*COMPUTERS, R.SCANNER, R.PRINTER, R.MULTIFUNCTION, R.KIOSK, R.RATING_DEVICE),
            "condition": (R.BROKEN,),
        },
    ),
    Reads("Q-STAFF", "B01", ("it_staff_fulltime", "it_staff_parttime")),
    # --- score components without a finding of their own (assessment.scores) -----------------------
    Reads(_component("procedures"), "B04", ("category", "usage"), {"category": (R.PROCEDURES,)}),
    Reads(_component("official_email"), "B04", ("category", "usage"), {"category": (R.OFFICIAL_EMAIL,)}),
    Reads(_component("effective_use"), "B04", ("usage",), {"usage": (R.EFFECTIVE,)}),
    Reads(_component("adequacy"), "B02", ("adequacy", "quantity"), {"adequacy": (R.NOT_ADEQUATE,)}),
    # --- target indicators of 2026.2 (ASSESSMENT.md, "Target indicators") ----------------------------
    Reads("CT-MT", "B01", ("staff_with_computer", "staff_total"), when_present=True),
    Reads("CT-CKS", "B01", ("staff_with_signature", "staff_total"), when_present=True),
    Reads("CT-KNS", "B01", ("staff_digital_trained", "staff_total"), when_present=True),
)


def column_type(sheet: str, key: str) -> ColumnType:
    """The type a relied-on column must keep: its type in 2026.1 (int for the 2026.2 staff counts)."""
    if BASE.has_sheet(sheet) and BASE.sheet(sheet).has_column(key):
        return BASE.sheet(sheet).column(key).type
    return ColumnType.INT


def _required_labels(sheet: str, key: str, labels: tuple[str, ...]) -> tuple[str, ...]:
    """The labels a version must keep: those 2026.1 offers. A rule may also accept a label a later
    version added as an alternative (2026.2's queue machine counts as a kiosk); a version without it
    loses nothing the rule needs."""
    if not (BASE.has_sheet(sheet) and BASE.sheet(sheet).has_column(key)):
        return labels
    offered = set(BASE.sheet(sheet).column(key).choices)
    return tuple(label for label in labels if label in offered)


def relied_on() -> dict[tuple[str, str], set[str]]:
    """(sheet, key) → the rules that read it (every need, the conditional ones included)."""
    needs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for reads in READS:
        for key in reads.keys:
            needs[reads.sheet, key].add(reads.rule)
    return needs


def _names(rules: set[str]) -> str:
    return ", ".join(sorted(rules))


def check_contract(definition: Any) -> list[Fault]:
    """A fault for every column or label the assessment reads that the definition lacks, hides or
    retypes; each names the rules that need it."""
    sheets = {_text(row.get("code")) for row in _rows(definition, SHEETS) if isinstance(row, dict)}
    columns: dict[tuple[str, str], tuple[int, dict]] = {}
    for index, row in enumerate(_rows(definition, COLUMNS)):
        if isinstance(row, dict):
            columns.setdefault((_text(row.get("sheet")), _text(row.get("key"))), (index, row))
    lists: dict[str, list[str]] = defaultdict(list)
    for row in _rows(definition, CHOICES):
        if isinstance(row, dict):
            lists[_text(row.get("list"))].append(_text(row.get("label")))

    # Gather per sheet, key and label which rules need them, then report each once.
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for reads in READS:
        if reads.when_present and (reads.sheet, reads.keys[0]) not in columns:
            continue
        for key in reads.keys:
            keys[reads.sheet, key].add(reads.rule)
        for key, wanted in reads.labels.items():
            for label in _required_labels(reads.sheet, key, wanted):
                labels[reads.sheet, key][label].add(reads.rule)

    faults: list[Fault] = []
    missing_sheets: dict[str, set[str]] = defaultdict(set)
    for (sheet, key), rules in keys.items():
        if sheet not in sheets:
            missing_sheets[sheet] |= rules
            continue
        found = columns.get((sheet, key))
        kind = column_type(sheet, key)
        if found is None:
            faults.append(
                Fault(
                    COLUMNS,
                    None,
                    "key",
                    _(
                        "Sheet %(sheet)s must keep the column “%(key)s” (type %(type)s): the assessment "
                        "rule(s) %(rules)s read it."
                    )
                    % {"sheet": sheet, "key": key, "type": kind, "rules": _names(rules)},
                )
            )
            continue
        index, row = found
        if row.get("hidden") is True or _text(row.get("hidden")) == YESNO_CHOICES[0]:
            faults.append(
                Fault(
                    COLUMNS,
                    index + 2,
                    "hidden",
                    _(
                        "The column “%(key)s” of sheet %(sheet)s cannot be hidden: the assessment rule(s) "
                        "%(rules)s read it."
                    )
                    % {"sheet": sheet, "key": key, "rules": _names(rules)},
                )
            )
        if _text(row.get("type")) != kind:
            faults.append(
                Fault(
                    COLUMNS,
                    index + 2,
                    "type",
                    _(
                        "The column “%(key)s” of sheet %(sheet)s must stay of type %(type)s: the assessment "
                        "rule(s) %(rules)s read it."
                    )
                    % {"sheet": sheet, "key": key, "type": kind, "rules": _names(rules)},
                )
            )
            continue
        if kind != ColumnType.CHOICE:
            continue
        offered = lists.get(_text(row.get("choices")), [])
        for label, label_rules in labels.get((sheet, key), {}).items():
            if label not in offered:
                faults.append(
                    Fault(
                        COLUMNS,
                        index + 2,
                        "choices",
                        _(
                            "The choice list of the column “%(key)s” of sheet %(sheet)s must keep the label "
                            "“%(label)s”: the assessment rule(s) %(rules)s compare with it."
                        )
                        % {"sheet": sheet, "key": key, "label": label, "rules": _names(label_rules)},
                    )
                )
    for sheet, rules in sorted(missing_sheets.items()):
        faults.append(
            Fault(
                SHEETS,
                None,
                "code",
                _("The definition must keep sheet %(sheet)s: the assessment rule(s) %(rules)s read it.")
                % {"sheet": sheet, "rules": _names(rules)},
            )
        )
    return sorted(faults, key=lambda f: (f.sheet != SHEETS, f.row or 0))
