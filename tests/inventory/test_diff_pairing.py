"""Rows without stored ids (a workbook before its import): matched by content, then paired by likeness
(`pair_similar`), and still paired position by position when there are too many to compare each with
each. Without `pair_similar` (the history's snapshots) nothing changes: unmatched rows are added/removed."""

from rasoat.appendix.declaration import get_appendix
from rasoat.inventory import diff
from rasoat.inventory.diff import diff_data

APPENDIX = get_appendix("2026.1")


def device(n: int, **values) -> dict:
    row = {
        "device_type": "Máy tính để bàn",
        "model": f"Model {n}",
        "quantity": n,
        "year_acquired": 2010 + n % 15,
        "condition": "Hoạt động tốt",
        "at_one_stop": "Có",
    }
    row.update(values)
    return row


def kinds(changes) -> list[tuple[str, int]]:
    return [(c.kind, c.row) for c in changes]


def b05(old: list[dict], new: list[dict], **options):
    diffs = diff_data(APPENDIX, {"B05": old}, {"B05": new}, **options)
    return diffs[0].changes if diffs else []


def test_identical_rows_in_another_order_are_no_change():
    rows = [device(n) for n in range(50)]
    assert b05(rows, list(reversed(rows)), pair_similar=True) == []


def test_a_changed_row_is_paired_by_likeness_and_its_cells_named():
    old = [device(1), device(2), device(3, model="Cũ", quantity=70, year_acquired=2001, at_one_stop="Không")]
    new = [device(1, model="Mới"), device(2), device(4, device_type="Máy in", condition="Hỏng")]
    changes = b05(old, new, pair_similar=True)
    assert kinds(changes) == [("changed", 1), ("added", 3), ("removed", 3)]
    assert changes[0].fields == {"model": ["Model 1", "Mới"]}
    # The snapshots' diff keeps its meaning: an unmatched row is added and removed.
    assert kinds(b05(old, new)) == [("added", 1), ("added", 3), ("removed", 1), ("removed", 3)]


def test_past_the_pair_limit_rows_are_paired_by_position(monkeypatch):
    monkeypatch.setattr(diff, "SIMILAR_PAIRS_MAX", 10)
    old = [device(n) for n in range(20)]
    new = [device(n, condition="Hỏng, không sử dụng được") for n in range(20)]
    changes = b05(old, new, pair_similar=True)
    assert [c.kind for c in changes] == ["changed"] * 20
    assert all(set(c.fields) == {"condition"} for c in changes)
