"""The registry through the API: tree order, search without accents, children, scope."""

from rasoat.orgs.models import Unit


def test_units_in_tree_order_searchable_and_by_parent(campaign, api_clients):
    reviewer = api_clients["reviewer"]
    first = reviewer.get("/api/v1/units?page_size=3").json()
    assert first["count"] == Unit.objects.count()
    assert first["results"][0]["code"] == "LC" and first["results"][0]["depth"] == 0
    found = reviewer.get("/api/v1/units?q=muong kim&kind=commune").json()["results"]
    assert [u["code"] for u in found] == ["X.03637"]
    children = reviewer.get("/api/v1/units?parent=X.03637&page_size=100").json()["results"]
    expected = set(Unit.objects.filter(parent__code="X.03637").values_list("code", flat=True))
    assert {u["code"] for u in children} == expected and all(u["parent"] == "X.03637" for u in children)
    pages = [reviewer.get(f"/api/v1/units?page={n}&page_size=50").json()["results"] for n in (1, 2)]
    assert not {u["code"] for u in pages[0]} & {u["code"] for u in pages[1]}


def test_a_commune_editor_sees_only_the_commune(campaign, api_clients):
    editor = api_clients["editor_muong_kim"]
    codes = [u["code"] for u in editor.get("/api/v1/units?page_size=100").json()["results"]]
    assert codes and all(code.startswith("X.03637") for code in codes)
    assert editor.get("/api/v1/units?parent=X.03445").status_code == 404
