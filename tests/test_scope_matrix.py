"""The scope matrix: every URL × every persona → the expected status.

Outside a user's scope the answer is 404 (it does not confirm the object exists); in scope without
the permission it is 403; anonymous users are sent to the login page (302). Each case runs alone.

tests/scope/ adds the same check over "prefix twins" (units whose id is a persona's unit id followed by
more digits, so that a path matched without its trailing "/" leaks), and checks the content of the
pages and exports: exactly the units in scope, and no code of any other.
"""

import pytest

from rasoat.orgs.models import Membership, Unit, User
from tests.conftest import client_for

MK = "X.03637"
PERSONAS = ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim", "anonymous"]

# (method, url template, expected statuses in PERSONAS order). Templates name units by code in
# braces ({X.03637.UB} → that unit's id) and {other} / {other_membership} for the Mường Tè editor.
MATRIX = [
    ("GET", "/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dang-nhap/", [302, 302, 302, 302, 302, 200]),
    ("GET", "/doi-mat-khau/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/doi-mat-khau/xong/", [200, 200, 200, 200, 200, 302]),
    # Registry
    ("GET", "/don-vi/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/don-vi/?q=muong+kim&kind=commune", [200, 200, 200, 200, 200, 302]),
    ("GET", "/don-vi/{LC}/", [200, 200, 404, 404, 404, 302]),
    ("GET", "/don-vi/{X.03637}/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/don-vi/{X.03637.UB}/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/don-vi/{X.03445.UB}/", [200, 200, 404, 200, 404, 302]),
    ("GET", "/don-vi/them/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/don-vi/{X.03637.UB}/sua/", [200, 403, 403, 404, 403, 302]),
    ("GET", "/don-vi/{X.03445.UB}/sua/", [200, 403, 404, 403, 404, 302]),
    ("GET", "/don-vi/{X.03637.UB}/chuyen/", [200, 403, 403, 404, 403, 302]),
    ("POST", "/don-vi/{X.03637.UB}/trang-thai/", [302, 403, 403, 404, 403, 302]),
    ("POST", "/don-vi/{X.03445.UB}/trang-thai/", [302, 403, 404, 403, 404, 302]),
    ("GET", "/don-vi/xuat-excel/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/don-vi/nhap-excel/", [200, 403, 403, 403, 403, 302]),
    # Users and memberships (the Mường Tè editor is "other"; its own page is open to it)
    ("GET", "/nguoi-dung/", [200, 404, 404, 404, 404, 302]),
    ("GET", "/nguoi-dung/them/", [200, 404, 404, 404, 404, 302]),
    ("GET", "/nguoi-dung/{other}/", [200, 404, 404, 200, 404, 302]),
    ("GET", "/nguoi-dung/{other}/sua/", [200, 404, 404, 403, 404, 302]),
    ("POST", "/nguoi-dung/{other}/dat-lai-mat-khau/", [302, 404, 404, 403, 404, 302]),
    ("GET", "/nguoi-dung/{other}/quyen/them/", [200, 404, 404, 403, 404, 302]),
    ("POST", "/nguoi-dung/{other}/quyen/{other_membership}/thu-hoi/", [302, 404, 404, 403, 404, 302]),
    # Sign-in (issue 8): the code step, one's own two-step settings, lockouts, the second-factor reset.
    # Admin and reviewer personas are signed in with their second factor; the editors have none.
    ("GET", "/dang-nhap/ma-xac-thuc/", [302, 302, 302, 302, 302, 302]),
    ("GET", "/tai-khoan/bao-mat/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/tai-khoan/ho-so/", [200, 200, 200, 200, 200, 302]),
    ("POST", "/tai-khoan/ho-so/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/tai-khoan/bao-mat/thiet-lap/", [302, 302, 200, 200, 200, 302]),
    ("GET", "/tai-khoan/bao-mat/ma-qr.svg", [404, 404, 404, 404, 404, 302]),
    ("POST", "/tai-khoan/bao-mat/ma-du-phong/", [200, 200, 302, 302, 302, 302]),
    ("POST", "/tai-khoan/bao-mat/tat/", [403, 403, 302, 302, 302, 302]),
    ("GET", "/nguoi-dung/khoa-dang-nhap/", [200, 404, 404, 404, 404, 302]),
    ("POST", "/nguoi-dung/khoa-dang-nhap/mo-khoa/", [302, 404, 404, 404, 404, 302]),
    ("POST", "/nguoi-dung/{other}/dat-lai-xac-thuc/", [302, 404, 404, 403, 404, 302]),
    # Campaigns
    ("GET", "/dot/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/them/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/dot/RS2026/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/KHONGCO/", [404, 404, 404, 404, 404, 302]),
    ("GET", "/dot/RS2026/sua/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/dot/RS2026/don-vi/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/dot/RS2026/xa/{X.03637}/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/xa/{X.03445}/", [200, 200, 404, 200, 404, 302]),
    # Audit log
    ("GET", "/nhat-ky/", [200, 200, 404, 404, 404, 302]),
    # Data entry of a Mường Kim unit, then of a Mường Tè unit
    *[
        (
            method,
            f"/dot/RS2026/don-vi/{{{code}}}/{path}",
            [mk if code.startswith(MK) else mt for mk, mt in statuses],
        )
        for code in ("X.03637.UB", "X.03445.UB")
        for method, path, statuses in [
            # (Mường Kim unit status, Mường Tè unit status) per persona
            ("GET", "nhap/", [(200, 200), (200, 200), (200, 404), (404, 200), (200, 404), (302, 302)]),
            ("GET", "nhap/B01/", [(200, 200), (200, 200), (200, 404), (404, 200), (200, 404), (302, 302)]),
            ("POST", "nhap/B01/", [(302, 302), (403, 403), (302, 404), (404, 302), (403, 404), (302, 302)]),
            ("GET", "nhap/B05/", [(200, 200), (200, 200), (200, 404), (404, 200), (200, 404), (302, 302)]),
            ("GET", "nhap/B09/", [(404, 404), (404, 404), (404, 404), (404, 404), (404, 404), (302, 302)]),
            # Issue 11: the grid of a sheet and its bulk save (an empty body is a 400 with a message).
            (
                "GET",
                "nhap/B05/bang-tinh/",
                [(200, 200), (403, 403), (200, 404), (404, 200), (403, 404), (302, 302)],
            ),
            (
                "POST",
                "nhap/B05/bang-tinh/",
                [(400, 400), (403, 403), (400, 404), (404, 400), (403, 404), (302, 302)],
            ),
            (
                "GET",
                "nhap/B05/them/",
                [(200, 200), (403, 403), (200, 404), (404, 200), (403, 404), (302, 302)],
            ),
            (
                "POST",
                "nhap/xac-nhan/",
                [(302, 302), (403, 403), (302, 404), (404, 302), (403, 404), (302, 302)],
            ),
            ("GET", "gui/", [(200, 200), (403, 403), (200, 404), (404, 200), (403, 404), (302, 302)]),
            ("POST", "gui/", [(200, 200), (403, 403), (200, 404), (404, 200), (403, 404), (302, 302)]),
            ("POST", "tra-lai/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("POST", "duyet/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("POST", "mo-lai/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            # Issue 11: the review steps ask on a confirmation page (GET); a unit not in the step's
            # status sends the user back (302). Recall is the editor's; extension the reviewer's.
            ("GET", "tra-lai/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("GET", "duyet/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("GET", "mo-lai/", [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("GET", "rut-lai/", [(302, 302), (403, 403), (302, 404), (404, 302), (403, 404), (302, 302)]),
            ("POST", "rut-lai/", [(302, 302), (403, 403), (302, 404), (404, 302), (403, 404), (302, 302)]),
            ("GET", "gia-han/", [(200, 200), (200, 200), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("POST", "gia-han/", [(200, 200), (200, 200), (403, 404), (404, 403), (403, 404), (302, 302)]),
            ("POST", "tiep-tuc/", [(302, 302), (403, 403), (302, 404), (404, 302), (403, 404), (302, 302)]),
            ("GET", "lich-su/", [(200, 200), (200, 200), (200, 404), (404, 200), (200, 404), (302, 302)]),
            # Submission package (issue 13): an empty upload is a 400 with the form's message.
            ("GET", "ho-so/", [(200, 200), (200, 200), (200, 404), (404, 200), (200, 404), (302, 302)]),
            ("POST", "ho-so/", [(400, 400), (403, 403), (400, 404), (404, 400), (403, 404), (302, 302)]),
            (
                "POST",
                "ho-so/tra-lai/",
                [(302, 302), (302, 302), (403, 404), (404, 403), (403, 404), (302, 302)],
            ),
        ]
    ],
    ("POST", "/dot/RS2026/duyet-nhieu/", [302, 302, 403, 403, 403, 302]),
    ("GET", "/dot/RS2026/?q=muong+kim&sort=-errors&size=25", [200, 200, 200, 200, 200, 302]),
    ("POST", "/dot/RS2026/xa/{X.03637}/gui-tat-ca/", [302, 403, 302, 404, 403, 302]),
    ("POST", "/dot/RS2026/xa/{X.03445}/gui-tat-ca/", [302, 403, 404, 302, 404, 302]),
    # Workbooks: templates, upload, the consolidated export
    ("GET", "/dot/RS2026/don-vi/{X.03637.UB}/mau-excel/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/don-vi/{X.03637.UB}/tai-len/", [200, 403, 200, 404, 403, 302]),
    ("GET", "/dot/RS2026/xa/{X.03637}/mau-excel/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/xa/{X.03637}/tai-len/", [200, 403, 200, 404, 403, 302]),
    ("GET", "/dot/RS2026/xuat-excel/", [200, 200, 200, 200, 403, 302]),
    ("GET", "/dot/RS2026/xuat-excel/?scope=X.03445", [200, 200, 404, 200, 404, 302]),
    # Submission packages (issue 13): the commune's combined report, the zip, the setting, trust
    ("GET", "/dot/RS2026/xa/{X.03637}/ho-so/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/xa/{X.03445}/ho-so/", [200, 200, 404, 200, 404, 302]),
    ("POST", "/dot/RS2026/xa/{X.03637}/ho-so/", [400, 403, 400, 404, 403, 302]),
    ("GET", "/dot/RS2026/ho-so/tai-zip/", [200, 200, 200, 200, 403, 302]),
    ("GET", "/dot/RS2026/ho-so/tai-zip/?scope=X.03445", [200, 200, 404, 200, 404, 302]),
    ("GET", "/dot/KHONGCO/ho-so/tai-zip/", [404, 404, 404, 404, 404, 302]),
    ("GET", "/dot/RS2026/ho-so/cau-hinh/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/dot/RS2026/ho-so/cau-hinh/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/ky-so/tin-cay/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/ky-so/tin-cay/", [400, 403, 403, 403, 403, 302]),
    # Reports
    ("GET", "/dot/RS2026/bao-cao/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/RS2026/bao-cao/unit/?unit=X.03637.UB", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/bao-cao/commune/?commune=X.03445", [200, 200, 404, 200, 404, 302]),
    ("GET", "/dot/RS2026/bao-cao/province/", [200, 200, 403, 403, 403, 302]),
    ("GET", "/dot/RS2026/bao-cao/reminder/", [200, 200, 403, 403, 403, 302]),
    # Dashboard and assessment
    ("GET", "/dot/RS2026/theo-doi/", [200, 200, 200, 200, 200, 302]),
    # The drill-down of a dashboard figure: everyone with a view of the campaign, over their own scope.
    ("GET", "/dot/RS2026/theo-doi/chi-tiet/?figure=timeliness&value=overdue", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/NOPE/theo-doi/chi-tiet/?figure=timeliness&value=overdue", [404, 404, 404, 404, 404, 302]),
    # One's own API tokens; signing out (the language switch, open to all, is tested below).
    ("GET", "/tai-khoan/ma-truy-cap/", [200, 200, 200, 200, 200, 302]),
    ("POST", "/dang-xuat/", [302, 302, 302, 302, 302, 302]),
    ("GET", "/dot/RS2026/don-vi/{X.03637.UB}/danh-gia/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/danh-gia/cau-hinh/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/dot/RS2026/danh-gia/tinh-lai/", [302, 403, 403, 403, 403, 302]),
    # The appendix editor (administrators of the province only; 2026.1 is read-only, so edits redirect)
    ("GET", "/phu-luc/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/tai-len/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/tai-len/", [422, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/KHONGCO/", [404, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/sao-chep/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/sao-chep/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/dinh-nghia/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/mau-excel/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/lua-chon/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/lua-chon/", [302, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/bieu/them/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/them/", [302, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/bieu/B05/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/", [302, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/di-chuyen/", [302, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/bieu/B05/xem-truoc/", [200, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/bieu/B05/cot/them/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/cot/them/", [302, 403, 403, 403, 403, 302]),
    ("GET", "/phu-luc/2026.1/bieu/B05/cot/quantity/", [200, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/cot/quantity/", [302, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/cot/quantity/di-chuyen/", [302, 403, 403, 403, 403, 302]),
    ("POST", "/phu-luc/2026.1/bieu/B05/cot/quantity/an/", [302, 403, 403, 403, 403, 302]),
    # Background jobs (issue 10): one's own jobs; the status fragment polled by a unit's assessment page.
    ("GET", "/cong-viec/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/RS2026/danh-gia/trang-thai/", [200, 200, 200, 200, 200, 302]),
    ("GET", "/dot/NOPE/danh-gia/trang-thai/", [404, 404, 404, 404, 404, 302]),
    ("GET", "/dot/RS2026/don-vi/{X.03637.UB}/danh-gia/trang-thai/", [200, 200, 200, 404, 200, 302]),
    ("GET", "/dot/RS2026/don-vi/{X.03445.UB}/danh-gia/trang-thai/", [200, 200, 404, 200, 404, 302]),
    # Notifications (one's own only; another user's notification is tested in tests/notifications)
    ("GET", "/thong-bao/", [200, 200, 200, 200, 200, 302]),
    ("POST", "/thong-bao/da-doc/", [302, 302, 302, 302, 302, 302]),
    ("GET", "/thong-bao/999999/", [404, 404, 404, 404, 404, 302]),
    # The province node is not assigned: no data-entry page exists for it.
    ("GET", "/dot/RS2026/don-vi/{LC}/nhap/", [404, 404, 404, 404, 404, 302]),
    # The API answers tokens only (tests/api/test_scope.py holds its matrix per token): a signed-in
    # browser session grants nothing there, whoever it is. Its readable docs hold no data.
    ("GET", "/api/v1/units", [401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/campaigns/RS2026/units/X.03637.UB/data", [401, 401, 401, 401, 401, 401]),
    ("PATCH", "/api/v1/campaigns/RS2026/units/X.03637.UB/data/B01", [401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/docs", [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/khong-co/", [404, 404, 404, 404, 404, 404]),
]

CASES = [
    pytest.param(method, template, persona, expected[i], id=f"{method} {template} {persona}")
    for method, template, expected in MATRIX
    for i, persona in enumerate(PERSONAS)
]


def resolve(template: str, personas: dict[str, User | None]) -> str:
    other = personas["editor_muong_te"]
    url = template.replace("{other_membership}", str(Membership.objects.filter(user=other).first().pk))
    url = url.replace("{other}", str(other.pk))
    while "{" in url:
        start, end = url.index("{"), url.index("}")
        url = url[:start] + str(Unit.objects.get(code=url[start + 1 : end]).pk) + url[end + 1 :]
    return url


@pytest.mark.parametrize(("method", "template", "persona", "expected"), CASES)
def test_scope_matrix(method, template, persona, expected, personas):
    client = client_for(personas[persona])
    url = resolve(template, personas)
    if method == "GET":
        response = client.get(url)
    elif method == "POST":
        response = client.post(url)
    else:
        response = client.generic(method, url, "{}", content_type="application/json")
    assert response.status_code == expected, f"{method} {url} as {persona}"
    if expected == 302 and persona == "anonymous":
        assert response["Location"].startswith("/dang-nhap/")


def test_muong_kim_editor_sees_exactly_its_five_units_on_the_board(clients):
    page = clients["editor_muong_kim"].get("/dot/RS2026/").content.decode()
    codes = sorted(
        code
        for code in Unit.objects.reporting().values_list("code", flat=True)
        if f'data-unit="{code}"' in page
    )
    assert codes == sorted(["X.03637.DU", "X.03637.HD", "X.03637.UB", "X.03637.TT", "X.03637.MT"])


@pytest.mark.parametrize(
    "code", ["X.03445", "X.03445.DU", "X.03445.HD", "X.03445.UB", "X.03445.TT", "X.03445.MT"]
)
def test_muong_kim_editor_gets_404_for_every_muong_te_unit(code, clients):
    pk = Unit.objects.get(code=code).pk
    assert clients["editor_muong_kim"].get(f"/don-vi/{pk}/").status_code == 404
    assert clients["editor_muong_kim"].get(f"/don-vi/{pk}/sua/").status_code == 404


ROW_ACTIONS = [
    # (method, path below the row, statuses per persona for a Mường Kim row)
    ("GET", "", [200, 403, 200, 404, 403, 302]),
    ("POST", "nhan-ban/", [302, 403, 302, 404, 403, 302]),
    ("POST", "xoa/", [302, 403, 302, 404, 403, 302]),
]


@pytest.mark.parametrize(("method", "path", "expected"), ROW_ACTIONS, ids=["edit", "duplicate", "delete"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_of_row_actions(method, path, expected, persona, personas, campaign):
    from rasoat.campaigns.models import Assignment
    from rasoat.inventory.models import EndDevice
    from rasoat.inventory.services import save_record

    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    row = save_record(
        assignment,
        "B05",
        {"device_type": "Máy in", "quantity": "2", "year_acquired": "2020", "condition": "Hoạt động tốt"},
    ).record
    url = f"/dot/RS2026/don-vi/{assignment.unit_id}/nhap/B05/{row.pk}/{path}"
    client = client_for(personas[persona])
    response = client.get(url) if method == "GET" else client.post(url, {"version": row.version})
    assert response.status_code == expected[PERSONAS.index(persona)]
    if method == "POST" and expected[PERSONAS.index(persona)] != 302 or persona == "anonymous":
        assert EndDevice.objects.filter(assignment=assignment).count() == 1, "a refused write changed data"


@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_of_the_snapshot_diff(persona, personas, campaign):
    from rasoat.campaigns.models import Assignment, Snapshot
    from rasoat.inventory.services import take_snapshot

    expected = dict(zip(PERSONAS, [200, 200, 200, 404, 200, 302], strict=True))[persona]
    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    first = take_snapshot(assignment, Snapshot.Kind.SUBMIT)
    second = take_snapshot(assignment, Snapshot.Kind.SUBMIT)
    url = f"/dot/RS2026/don-vi/{assignment.unit_id}/so-sanh/?a={first.pk}&b={second.pk}"
    assert client_for(personas[persona]).get(url).status_code == expected
    # A snapshot of another unit is never shown through this unit's URL.
    other = Assignment.objects.get(campaign=campaign, unit__code="X.03445.UB")
    foreign = take_snapshot(other, Snapshot.Kind.SUBMIT)
    url = f"/dot/RS2026/don-vi/{assignment.unit_id}/so-sanh/?a={first.pk}&b={foreign.pk}"
    assert client_for(personas[persona]).get(url).status_code in (404, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_of_package_files(persona, personas, campaign, tmp_path, settings):
    """A package file opens for whoever sees its unit, and is a 404 for anyone else."""
    from rasoat.campaigns.models import Assignment
    from rasoat.packages.services import attach
    from tests.packages.pdfs import tiny_pdf

    settings.MEDIA_ROOT = tmp_path
    expected = dict(zip(PERSONAS, [200, 200, 200, 404, 200, 302], strict=True))[persona]
    unit = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB").unit
    stored = attach(campaign, unit, "bao-cao.pdf", tiny_pdf()).attachment
    client = client_for(personas[persona])
    assert client.get(f"/dot/RS2026/ho-so/tep/{stored.pk}/").status_code == expected
    # Through another campaign's code the file does not exist.
    assert client.get(f"/dot/KHONGCO/ho-so/tep/{stored.pk}/").status_code in (404, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_scope_of_a_job_result(persona, personas, campaign, settings, tmp_path):
    """A job's file is downloaded by its owner only: an administrator lists it but gets 404 too."""
    from rasoat.jobs.models import Job

    settings.JOBS_RESULT_ROOT = tmp_path
    (tmp_path / "result.xlsx").write_bytes(b"PK")
    owner = personas["editor_muong_kim"]
    job = Job.objects.create(
        kind=Job.Kind.EXPORT,
        owner=owner,
        campaign=campaign,
        unit=Unit.objects.get(code=MK),
        title="export",
        state=Job.State.DONE,
        result_file="result.xlsx",
        result_name="tong-hop.xlsx",
    )
    expected = dict(zip(PERSONAS, [404, 404, 200, 404, 404, 302], strict=True))[persona]
    assert client_for(personas[persona]).get(f"/cong-viec/{job.pk}/tai-ve/").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_language_switch_is_open_to_all_and_stays_on_the_site(persona, personas):
    """/ngon-ngu/ holds no data: anyone may switch, and it never sends the browser off the site."""
    client = client_for(personas[persona])
    response = client.post("/ngon-ngu/", {"language": "en", "next": "https://example.com/"})
    assert response.status_code == 302 and response["Location"].startswith("/")
