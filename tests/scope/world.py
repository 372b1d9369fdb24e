"""The world of the scope tests: the Lai Châu registry plus "prefix twins", personas, data, and an
oracle of what each persona may see.

A unit's path is the chain of ids ("1/44/"), so a scope check that forgets the trailing separator
matches "1/4" against "1/44/". Nothing in the shipped registry guarantees that any persona's unit id
is a string prefix of another unit's id, so the twins make it so, whatever ids the registry got in
this database: next to each persona's unit, a twin whose id is that unit's id followed by "0001"
(LC → a second province, Mường Kim and Mường Tè → a commune each, Mường Kim's People's Committee →
a unit of the same commune). Each twin holds data, so a twin leaking into a page is visible.

The oracle computes scope by walking parent links in Python, never by comparing paths, so it does
not share the bug it is meant to catch.
"""

from dataclasses import dataclass, field

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.inventory.models import EndDevice
from rasoat.inventory.services import change_status
from rasoat.orgs.models import Block, Kind, Level, Membership, Unit, User
from rasoat.orgs.roles import ROLE_PERMISSIONS, Role
from rasoat.summaries.services import refresh as refresh_summaries
from tests.conftest import make_user

TWIN_SUFFIX = 10_000  # twin id = id * TWIN_SUFFIX + n: "44" → "440001", far above any registry id

# persona name -> [(role, unit code)]; the first five are the shared personas of tests/conftest.py.
EXTRA_PERSONAS = {
    "reviewer_muong_kim": [(Role.REVIEWER, "X.03637")],  # reads the audit log of one commune
    "editor_ubnd_muong_kim": [(Role.EDITOR, "X.03637.UB")],  # one unit, a string prefix of its twin
    "editor_twin_muong_kim": [(Role.EDITOR, "X.99637")],  # the twin commune: the longer id
    # Reads the whole province, edits one commune: sees the twin commune, must not edit it.
    "viewer_province_editor_muong_kim": [(Role.VIEWER, "LC"), (Role.EDITOR, "X.03637")],
}
PERSONAS = [
    "admin",
    "reviewer",
    "editor_muong_kim",
    "editor_muong_te",
    "viewer_muong_kim",
    *EXTRA_PERSONAS,
]

PRINTER = {"device_type": "Máy in", "quantity": "1", "year_acquired": "2020", "condition": "Hoạt động tốt"}
# Units holding data (a B05 printer row, so "in progress", with audit entries): some of the registry,
# every reporting twin.
WITH_DATA = [
    "T.VPTU",
    "X.03637.DU",
    "X.03637.UB",
    "X.03445.UB",
    "DB.VPTU",
    "X.99637.UB",
    "X.99445.UB",
    "X.03637.TN",
]


def _twin(base: Unit, n: int, **fields) -> Unit:
    unit = Unit(pk=base.pk * TWIN_SUFFIX + n, active=True, **fields)
    unit.save(force_insert=True)
    return unit


def make_twins(campaign: Campaign) -> dict[str, Unit]:
    """Create the twins (explicit ids) and assign their reporting units to `campaign`."""
    lc, mk, mt = (Unit.objects.get(code=code) for code in ("LC", "X.03637", "X.03445"))
    ubnd_mk = Unit.objects.get(code="X.03637.UB")
    province = _twin(lc, 1, code="DB", name="Tỉnh Điện Biên", kind=Kind.PROVINCE)
    twins = {
        "DB": province,
        "DB.VPTU": _twin(
            lc,
            2,
            code="DB.VPTU",
            name="Văn phòng Tỉnh ủy Điện Biên",
            parent=province,
            kind=Kind.AGENCY,
            level=Level.PROVINCE,
            block=Block.PARTY,
            reports=True,
        ),
    }
    for base, code, name in ((mk, "X.99637", "Kim Phong"), (mt, "X.99445", "Tè Phìn")):
        commune = _twin(
            base, 1, code=code, name=f"Xã {name}", parent=lc, kind=Kind.COMMUNE, level=Level.COMMUNE
        )
        twins[code] = commune
        twins[f"{code}.UB"] = _twin(
            base,
            2,
            code=f"{code}.UB",
            name=f"Ủy ban nhân dân xã {name}",
            parent=commune,
            commune=commune,
            kind=Kind.AGENCY,
            level=Level.COMMUNE,
            block=Block.COMMITTEE,
            reports=True,
        )
    twins["X.03637.TN"] = _twin(
        ubnd_mk,
        1,
        code="X.03637.TN",
        name="Tổ công nghệ số cộng đồng xã Mường Kim",
        parent=mk,
        commune=mk,
        kind=Kind.SUBUNIT,
        level=Level.COMMUNE,
        block=Block.COMMITTEE,
        reports=True,
    )
    Assignment.objects.bulk_create(
        Assignment(campaign=campaign, unit=unit) for unit in twins.values() if unit.reports
    )
    return twins


def make_personas(shared: dict[str, User | None]) -> dict[str, User | None]:
    """The shared personas plus those of EXTRA_PERSONAS (created after the twins they sit on)."""
    users = dict(shared)
    for name, memberships in EXTRA_PERSONAS.items():
        user = make_user(name)
        for role, code in memberships:
            Membership.objects.create(user=user, unit=Unit.objects.get(code=code), role=role)
        users[name] = user
    return users


def plant_data(campaign: Campaign, actor: User) -> None:
    """A B05 printer row in each unit of WITH_DATA, in progress and audited as a save leaves it.

    Written without `save_record`, whose recompute of the assessment would make these 200 tests
    three times slower; the status change and the audit entries go through the real services.
    """
    planted = []
    for assignment in Assignment.objects.select_related("campaign", "unit").filter(
        campaign=campaign, unit__code__in=WITH_DATA
    ):
        row = EndDevice.objects.create(
            assignment=assignment,
            position=1,
            device_type=PRINTER["device_type"],
            quantity=1,
            year_acquired=2020,
            condition=PRINTER["condition"],
        )
        log(actor, "appendix.created", row, {"device_type": [None, row.device_type]}, unit=assignment.unit)
        change_status(assignment, Status.IN_PROGRESS, actor)
        planted.append(assignment.pk)
    # Rows written around the services must be told to the live summaries, as `rebuild_summaries` does.
    refresh_summaries(planted)


@dataclass
class Oracle:
    """What each persona may see, computed from parent links (not paths) and the roles' permissions."""

    campaign: Campaign
    parent: dict[int, int | None] = field(default_factory=dict)
    code: dict[int, str] = field(default_factory=dict)

    def __post_init__(self):
        for pk, code, parent in Unit.objects.values_list("pk", "code", "parent_id"):
            self.code[pk], self.parent[pk] = code, parent

    def scope(self, user: User | None, perm: str) -> set[str]:
        """Codes of the units `user` may see with `perm`: every unit at or below a membership."""
        if user is None:
            return set()
        roots = {
            m.unit_id
            for m in Membership.objects.filter(user=user, unit__active=True)
            if perm in ROLE_PERMISSIONS[m.role]
        }
        seen = set()
        for pk in self.code:
            node: int | None = pk
            while node is not None:
                if node in roots:
                    seen.add(self.code[pk])
                    break
                node = self.parent[node]
        return seen

    @property
    def every_code(self) -> set[str]:
        return set(self.code.values())

    def assigned(self, **filters) -> set[str]:
        return set(
            Assignment.objects.filter(campaign=self.campaign, **filters).values_list("unit__code", flat=True)
        )

    def in_progress(self) -> set[str]:
        return self.assigned(status=Status.IN_PROGRESS)

    def with_printers(self) -> set[str]:
        return set(
            EndDevice.objects.filter(assignment__campaign=self.campaign, device_type="Máy in").values_list(
                "assignment__unit__code", flat=True
            )
        )

    def communes_with_assignments(self) -> set[str]:
        return set(
            Assignment.objects.filter(campaign=self.campaign, unit__commune__isnull=False).values_list(
                "unit__commune__code", flat=True
            )
        )

    def matching(self, text: str) -> set[str]:
        """Units whose name or code matches a search (the registry's search, not a scope rule)."""
        return set(Unit.objects.search(text).values_list("code", flat=True))

    def communes(self) -> set[str]:
        return {self.code[pk] for pk in Unit.objects.filter(kind=Kind.COMMUNE).values_list("pk", flat=True)}
