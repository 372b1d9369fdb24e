"""How an export names its scope: the line of the `Tổng hợp` sheet and the file name.

The web download and the background export job name the same scope the same way, by its units
("Xã Mường Tè", `tong-hop-RS2026-xa-muong-te.xlsx`), never by the person who asked.
"""

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Block, Level, Unit
from rasoat.workbooks.export import export_filename, scope_label, scope_roots


def name_scope(
    user, campaign: Campaign, scope: Unit | None, level: str, block: str, commune: Unit | None
) -> tuple[str, str]:
    """The scope line and the file name of `user`'s export of `campaign` limited as given."""
    whole = scope.name if scope is not None else ", ".join(unit.name for unit in scope_roots(user))
    label = scope_label(scope, level, block, commune, everything=whole)
    names = [
        whole,
        Level(level).label if level else "",
        Block(block).label if block else "",
        commune.name if commune is not None else "",
    ]
    return label, export_filename(campaign, *names)
