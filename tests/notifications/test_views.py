"""The notification list: one's own notices only, the navbar count, opening marks read."""

from rasoat.notifications.models import Notification
from rasoat.notifications.services import notify
from tests.conftest import client_for


def notice(user, text, link="/dot/RS2026/"):
    notify([user], "workflow.returned", text, link, "tiêu đề", "nội dung")
    return Notification.objects.filter(user=user).latest("pk")


def test_list_shows_only_ones_own_and_the_navbar_counts_unread(personas):
    mine = notice(personas["editor_muong_kim"], "Báo cáo của UBND xã Mường Kim bị trả lại")
    notice(personas["editor_muong_te"], "Báo cáo của UBND xã Mường Tè bị trả lại")
    client = client_for(personas["editor_muong_kim"])
    page = client.get("/thong-bao/").content.decode()
    assert "Mường Kim bị trả lại" in page and "Mường Tè" not in page
    assert 'data-testid="unread-count">1<' in page
    home = client.get("/").content.decode()
    assert "Thông báo" in home and 'data-testid="unread-count">1<' in home

    response = client.get(f"/thong-bao/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == "/dot/RS2026/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


def test_another_users_notification_is_404_and_stays_unread(personas):
    theirs = notice(personas["editor_muong_te"], "Báo cáo của UBND xã Mường Tè bị trả lại")
    assert client_for(personas["editor_muong_kim"]).get(f"/thong-bao/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_ones_own(personas):
    notice(personas["editor_muong_kim"], "một")
    notice(personas["editor_muong_kim"], "hai")
    other = notice(personas["editor_muong_te"], "ba")
    response = client_for(personas["editor_muong_kim"]).post("/thong-bao/da-doc/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=personas["editor_muong_kim"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    personas["editor_muong_kim"].refresh_from_db()
    personas["editor_muong_te"].refresh_from_db()
    assert personas["editor_muong_kim"].unread_notifications == 0
    assert personas["editor_muong_te"].unread_notifications == 1


def test_an_external_link_is_never_followed(personas):
    bad = notice(personas["viewer_muong_kim"], "x", link="https://evil.example/")
    response = client_for(personas["viewer_muong_kim"]).get(f"/thong-bao/{bad.pk}/")
    assert response["Location"] == "/thong-bao/"


def test_list_queries_do_not_grow_with_notifications(personas, django_assert_max_num_queries):
    client = client_for(personas["reviewer"])
    for i in range(25):
        notice(personas["reviewer"], f"thông báo {i}")
    with django_assert_max_num_queries(12):
        assert client.get("/thong-bao/").status_code == 200
