"""Calendar feeds: a secret, revocable iCalendar address of a user's deadlines."""

import re
from datetime import timedelta

from icalendar import Calendar

from ..conftest import login


def test_feed_lists_open_deadlines_and_stops_when_revoked(app, client, make, org, today):
    leader = make.user("unit_leader", org["institute"])
    make.task(
        org["institute"], code="CL-01", title="Railway scheme", deadline=today + timedelta(days=5)
    )
    make.task(org["institute"], code="CL-02", status="cancelled")
    make.task(org["other"], code="OT-01")
    login(client, leader)
    response = client.post("/calendar-feeds", data={"scope": "unit"}, follow_redirects=True)
    url = re.search(r"(http://[^ ]+\.ics)", response.text).group(1)
    path = url.split("localhost", 1)[-1]
    fresh = app.test_client()  # a calendar program, not logged in
    feed = fresh.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Deadline CL-01: Railway scheme"]
    assert events[0]["dtstart"].dt == today + timedelta(days=5)
    feed_id = re.search(r"/calendar-feeds/(\d+)/revoke", client.get("/reminders").text).group(1)
    assert client.post(f"/calendar-feeds/{feed_id}/revoke").status_code == 302
    assert fresh.get(path).status_code == 404
    assert fresh.get("/calendar/not-a-token.ics").status_code == 404


def test_my_tasks_feed_and_feeds_are_private(client, make, org, today):
    officer = make.user("officer", org["institute"])
    other = make.user("officer", org["institute"])
    make.task(org["institute"], code="MINE", owner=officer)
    make.task(org["institute"], code="NOT-MINE", owner=other)
    login(client, officer)
    response = client.post("/calendar-feeds", data={"scope": "mine"}, follow_redirects=True)
    path = "/calendar/" + re.search(r"/calendar/([^ ]+\.ics)", response.text).group(1)
    text = client.get(path).data.decode()
    assert "MINE" in text and "NOT-MINE" not in text
    feed_id = re.search(r"/calendar-feeds/(\d+)/revoke", client.get("/reminders").text).group(1)
    login(client, other)
    assert client.post(f"/calendar-feeds/{feed_id}/revoke").status_code == 403
    refused = client.post("/calendar-feeds", data={"scope": "everything"}, follow_redirects=True)
    assert "Choose my tasks or my unit" in refused.text and ".ics" not in refused.text


def test_a_feed_ends_when_its_owners_password_or_role_changes(app, make, org, today):
    from tracker.accounts import users
    from tracker.extensions import db
    from tracker.work import calendar

    leader = make.user("unit_leader", org["institute"])
    make.task(org["institute"], code="CL-01", deadline=today + timedelta(days=5))
    admin = make.user("admin", org["ministry"])
    feed = app.test_client()
    token = calendar.create_feed(leader, "unit")
    assert feed.get(f"/calendar/{token}.ics").status_code == 200
    users.set_password(admin, leader, "một mật khẩu mới thật dài")
    db.session.commit()
    assert feed.get(f"/calendar/{token}.ics").status_code == 404
    again = calendar.create_feed(leader, "unit")  # a new address works again
    assert feed.get(f"/calendar/{again}.ics").status_code == 200


def test_a_feed_speaks_its_owners_language(app, client, make, org, today):
    """A calendar program sends no language of its own: the feed is written in its owner's
    (a Vietnamese leader's phone showed "Deadline … lead unit … in progress, 40% done")."""
    leader = make.user("unit_leader", org["institute"], name="Phan Đăng Phong", language="vi")
    make.task(
        org["institute"],
        code="CL 03 Đ",
        title="Nội địa hóa dây chuyền thiết bị",
        deadline=today + timedelta(days=5),
        status="in_progress",
        percent_done=40,
    )
    login(client, leader)
    response = client.post("/calendar-feeds", data={"scope": "unit"}, follow_redirects=True)
    path = "/calendar/" + re.search(r"/calendar/([^ ]+\.ics)", response.text).group(1)
    calendar = Calendar.from_ical(app.test_client().get(path).data)
    assert (
        str(calendar["x-wr-calname"])
        == f"Thời hạn · Nhiệm vụ của đơn vị tôi · {org['institute'].code}"
    )
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Hạn CL 03 Đ: Nội địa hóa dây chuyền thiết bị"
    description = str(event["description"])
    assert description.endswith(
        f"đơn vị chủ trì {org['institute'].code} · đang thực hiện, đã làm 40%"
    ), description
