"""Comparing two snapshots: rows added, removed and changed, field by field.

Rows are matched by their stored id (kept beside each snapshot), then — for data that was replaced
wholesale by an import — by identical content, so a re-imported unchanged row is not reported.
Rows without ids (a workbook about to be imported) may also be paired by likeness (`pair_similar`):
a row that shares most of its values with a row left over is that row changed, not a new one.
"""

from collections import defaultdict
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


SIMILAR_PAIRS_MAX = 100_000
"""Past this many (left-over old × left-over new) row pairs, rows are no longer paired by likeness:
they stay added and removed, so a diff of two unrelated 10,000-row tables stays fast."""


def diff_data(
    appendix: Appendix,
    old: dict,
    new: dict,
    old_ids: dict | None = None,
    new_ids: dict | None = None,
    *,
    pair_similar: bool = False,
) -> list[SheetDiff]:
    """The differences between two datasets in the dump shape, per sheet (sheets without any are left out).

    `pair_similar`: rows matched neither by id nor by identical content are paired when at least half
    of their values agree (the preview of an import, whose rows carry no ids)."""
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
                pair_similar=pair_similar,
            )
        if changes:
            result.append(SheetDiff(sheet.code, sheet.title, headers, changes))
    return result


def _content_key(row: dict) -> tuple:
    """A hashable form of a row, equal for equal rows (lists, e.g. several choices, become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in row.items()))


def _diff_rows(
    old: list[dict], new: list[dict], old_ids: list, new_ids: list, *, pair_similar: bool = False
) -> list[Change]:
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
    # Identical content, the earliest unmatched old row first; indexed by content so that a
    # 10,000-row re-import is not 10,000 scans of the old rows.
    by_content: dict[tuple, list[int]] = defaultdict(list)
    for i in sorted(unmatched_old, reverse=True):
        by_content[_content_key(old[i])].append(i)
    leftover_new = []
    for j in pending_new:
        candidates = by_content.get(_content_key(new[j]))
        if candidates:
            unmatched_old.discard(candidates.pop())
        else:
            leftover_new.append(j)
    if pair_similar and leftover_new and unmatched_old:
        paired = _pair_similar(old, new, sorted(unmatched_old), leftover_new)
        for j in leftover_new:
            i = paired.get(j)
            if i is None:
                changes.append(Change("added", j + 1, values=new[j]))
            else:
                unmatched_old.discard(i)
                changes.append(Change("changed", j + 1, _fields(old[i], new[j]), new[j]))
    else:
        changes.extend(Change("added", j + 1, values=new[j]) for j in leftover_new)
    changes.extend(Change("removed", i + 1, values=old[i]) for i in sorted(unmatched_old))
    return changes


def _likeness(old: dict, new: dict) -> float:
    """The share of the non-empty values of either row that both rows hold alike (0 for two empty rows)."""
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) is not None or new.get(k) is not None]
    if not keys:
        return 0.0
    return sum(1 for k in keys if old.get(k) == new.get(k)) / len(keys)


def _pair_similar(
    old: list[dict], new: list[dict], old_left: list[int], new_left: list[int]
) -> dict[int, int]:
    """{new index: old index} for left-over rows that agree on at least half of their non-empty
    values, each new row taking the most alike free old row (the nearest one on a tie)."""
    if len(old_left) * len(new_left) > SIMILAR_PAIRS_MAX:
        # Too many to compare each with each: the k-th left-over rows of both sides, when alike (a
        # column changed in every row of a large table is then still a change, not a new table).
        return {j: i for i, j in zip(old_left, new_left, strict=False) if _likeness(old[i], new[j]) >= 0.5}
    free = list(old_left)
    paired: dict[int, int] = {}
    for j in new_left:
        row = new[j]
        best, best_score = None, 0.0
        for i in free:
            score = _likeness(old[i], row)
            if score > best_score or (
                score == best_score and best is not None and abs(i - j) < abs(best - j)
            ):
                best, best_score = i, score
        if best is not None and best_score >= 0.5:
            paired[j] = best
            free.remove(best)
    return paired


def diff_snapshots(appendix: Appendix, old: Snapshot, new: Snapshot) -> list[SheetDiff]:
    return diff_data(appendix, old.data, new.data, old.row_ids, new.row_ids)
