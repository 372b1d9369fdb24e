"""Comparing two snapshots: rows added, removed and changed, field by field.

Rows are matched by their stored id (kept beside each snapshot), then — for data that was replaced
wholesale by an import — by identical content, so a re-imported unchanged row is not reported.
"""

from dataclasses import dataclass, field
from typing import Any

from rasoat.appendix.declaration import Appendix
from rasoat.campaigns.models import Snapshot


@dataclass
class Change:
    """One difference: added, removed or changed; `row` is 1-based in its snapshot (None for B01)."""

    kind: str
    row: int | None
    fields: dict[str, list[Any]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class SheetDiff:
    code: str
    title: str
    headers: dict[str, str]
    changes: list[Change]


def _fields(old: dict, new: dict) -> dict[str, list[Any]]:
    return {
        key: [old.get(key), new.get(key)]
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    }


def diff_data(
    appendix: Appendix, old: dict, new: dict, old_ids: dict | None = None, new_ids: dict | None = None
) -> list[SheetDiff]:
    """The differences between two datasets in the dump shape, per sheet (sheets without any are left out)."""
    result = []
    for sheet in appendix:
        headers = {c.key: c.header for c in sheet.data_columns}
        if not sheet.repeating:
            changed = _fields(old.get(sheet.code) or {}, new.get(sheet.code) or {})
            changes = [Change("changed", None, changed)] if changed else []
        else:
            changes = _diff_rows(
                old.get(sheet.code) or [],
                new.get(sheet.code) or [],
                (old_ids or {}).get(sheet.code) or [],
                (new_ids or {}).get(sheet.code) or [],
            )
        if changes:
            result.append(SheetDiff(sheet.code, sheet.title, headers, changes))
    return result


def _diff_rows(old: list[dict], new: list[dict], old_ids: list, new_ids: list) -> list[Change]:
    old_by_id = {row_id: i for i, row_id in enumerate(old_ids) if i < len(old)}
    unmatched_old = set(range(len(old)))
    changes: list[Change] = []
    pending_new = []
    for j, row in enumerate(new):
        row_id = new_ids[j] if j < len(new_ids) else None
        i = old_by_id.get(row_id)
        if i is not None and i in unmatched_old:
            unmatched_old.discard(i)
            changed = _fields(old[i], row)
            if changed:
                changes.append(Change("changed", j + 1, changed, row))
        else:
            pending_new.append(j)
    for j in pending_new:
        same = next((i for i in sorted(unmatched_old) if old[i] == new[j]), None)
        if same is not None:
            unmatched_old.discard(same)
        else:
            changes.append(Change("added", j + 1, values=new[j]))
    changes.extend(Change("removed", i + 1, values=old[i]) for i in sorted(unmatched_old))
    return changes


def diff_snapshots(appendix: Appendix, old: Snapshot, new: Snapshot) -> list[SheetDiff]:
    return diff_data(appendix, old.data, new.data, old.row_ids, new.row_ids)
