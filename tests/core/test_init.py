"""`rasoat init`: a first start loads everything once; later starts keep data and duplicate nothing."""

import io
import stat

from django.core.management import call_command

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Kind, Membership, Unit, User
from rasoat.orgs.roles import Role


def run_init(settings, tmp_path) -> str:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("init", no_static=True, stdout=out)
    return out.getvalue()


def test_init_loads_registry_campaign_and_admin(empty_database, settings, tmp_path):
    assert not Unit.objects.exists()
    output = run_init(settings, tmp_path)

    assert Unit.objects.count() == 259
    assert Unit.objects.filter(kind=Kind.COMMUNE).count() == 38
    assert Unit.objects.reporting().count() == 220
    campaign = Campaign.objects.get()
    assert campaign.code == "RS2026"
    assert campaign.title == (
        "Rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối năm 2026"
    )
    assert campaign.deadline.isoformat() == "2026-05-20"
    assert campaign.reference_date.isoformat() == "2026-05-20"
    assert campaign.contact_phone == "02313.798.798"
    assert campaign.contact_division.startswith("Phòng Bưu chính, Viễn thông, Công nghệ thông tin")
    assert set(campaign.assignments.values_list("unit_id", flat=True)) == set(
        Unit.objects.reporting().values_list("pk", flat=True)
    )

    password_file = tmp_path / "admin-password.txt"
    password = password_file.read_text().strip()
    assert password in output
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    admin = User.objects.get(username="admin")
    assert admin.check_password(password)
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, unit__code="LC").exists()


def test_init_twice_duplicates_nothing_and_keeps_data(empty_database, settings, tmp_path):
    run_init(settings, tmp_path)
    password = (tmp_path / "admin-password.txt").read_text().strip()
    unit = Unit.objects.get(code="X.03637.UB")
    unit.name = "Ủy ban nhân dân xã Mường Kim (đã sửa)"
    unit.save()

    second = run_init(settings, tmp_path)

    assert password not in second
    assert Unit.objects.count() == 259
    assert Campaign.objects.count() == 1
    assert Assignment.objects.count() == 220
    assert User.objects.filter(username="admin").count() == 1
    assert User.objects.get(username="admin").check_password(password)
    assert Unit.objects.get(code="X.03637.UB").name.endswith("(đã sửa)")


def test_registry_tree_paths_and_communes(empty_database, settings, tmp_path):
    run_init(settings, tmp_path)
    province = Unit.objects.get(code="LC")
    commune = Unit.objects.get(code="X.03637")
    units = Unit.objects.subtree(commune).exclude(pk=commune.pk)
    assert sorted(units.values_list("code", flat=True)) == sorted(
        ["X.03637.DU", "X.03637.HD", "X.03637.UB", "X.03637.TT", "X.03637.MT"]
    )
    assert all(u.commune_id == commune.pk and u.path.startswith(province.path) for u in units)
    assert Unit.objects.subtree(province).count() == 259
