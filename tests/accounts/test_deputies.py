"""Deputies: a unit leader names a person of the unit for a date range; in it the deputy acts
with the leader's rights on the unit's tasks, each action shown as on behalf of the leader in
the history and the audit trail; the delegation ends by itself or early; supervisors see the
delegations of their subtree; the policy's predicates agree."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.accounts import deputies, tokens
from tracker.domain import lifecycle, policy
from tracker.domain.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditEvent, Delegation, StatusUpdate

from ..conftest import PASSWORD, login

DAY = timedelta(days=1)


@pytest.fixture
def unit(make, org):
    department = org["department"]
    leader = make.user(
        "unit_leader", department, username="truong.phong.dang", name="Đặng Văn Trưởng"
    )
    deputy = make.user("officer", department, username="pho.phong.uyen", name="Lê Thị Uyên")
    task = make.task(department, code="NV-Đ 01", title="Rà soát thủ tục hành chính")
    other_task = make.task(org["other"], code="NV-K 02")
    return {"leader": leader, "deputy": deputy, "task": task, "other": other_task}


def name(client, deputy, start, end):
    return client.post(
        "/deputies",
        data={"deputy_id": deputy.id, "starts_on": start.isoformat(), "ends_on": end.isoformat()},
    )


def report(client, task, percent):
    db.session.refresh(task)
    return client.post(
        f"/tasks/{task.id}/progress",
        data={
            "version": task.version,
            "status": lifecycle.IN_PROGRESS,
            "percent_done": percent,
            "note": "Thay trưởng phòng đi công tác",
        },
    )


def test_in_the_range_the_deputy_acts_for_the_leader_and_says_so(app, client, unit, today):
    login(client, unit["leader"])
    assert name(client, unit["deputy"], today, today + 6 * DAY).status_code == 302
    deputy_browser = app.test_client()
    login(deputy_browser, unit["deputy"])
    assert report(deputy_browser, unit["task"], 40).status_code == 302
    entry = db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == unit["task"].id)
        .order_by(StatusUpdate.id.desc())
    )
    assert (entry.actor_id, entry.on_behalf_of_id, entry.new_percent) == (
        unit["deputy"].id,
        unit["leader"].id,
        40,
    )
    page = deputy_browser.get(f"/tasks/{unit['task'].id}", headers={"Accept-Language": "en"})
    assert "Lê Thị Uyên on behalf of Đặng Văn Trưởng" in page.text
    trail = db.session.scalars(
        select(AuditEvent.actor_username).where(AuditEvent.object_type == "task")
    ).all()
    assert "pho.phong.uyen on behalf of truong.phong.dang" in trail
    # the leader's rights on the unit's tasks, not beyond them
    assert report(deputy_browser, unit["other"], 10).status_code == 403
    listing = deputy_browser.get("/deputies").text
    assert "Đặng Văn Trưởng" in listing


def test_before_and_after_the_range_and_once_ended_the_deputy_is_an_officer_again(
    app, client, unit, today, time_machine
):
    login(client, unit["leader"])
    name(client, unit["deputy"], today + 2 * DAY, today + 4 * DAY)
    deputy_browser = app.test_client()
    login(deputy_browser, unit["deputy"])
    assert report(deputy_browser, unit["task"], 20).status_code == 403  # not yet
    now = clock.now()
    time_machine.move_to(now + 3 * DAY, tick=False)
    login(deputy_browser, unit["deputy"])
    assert report(deputy_browser, unit["task"], 20).status_code == 302
    time_machine.move_to(now + 5 * DAY, tick=False)
    login(deputy_browser, unit["deputy"])
    assert report(deputy_browser, unit["task"], 30).status_code == 403  # over by itself

    time_machine.move_to(now, tick=False)
    login(client, unit["leader"])
    name(client, unit["deputy"], today, today + 10 * DAY)
    delegation = db.session.scalars(select(Delegation).order_by(Delegation.id.desc())).first()
    login(deputy_browser, unit["deputy"])
    assert deputy_browser.post(f"/deputies/{delegation.id}/end").status_code == 302  # ends it
    assert report(deputy_browser, unit["task"], 30).status_code == 403
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions.count("delegation.create") == 2 and "delegation.end" in actions


def test_only_a_person_of_the_unit_for_a_sensible_range_by_the_leader_or_an_admin(
    client, make, org, unit, today
):
    stranger = make.user("officer", org["other"])
    leader, deputy = unit["leader"], unit["deputy"]
    for who, start, end in (
        (stranger, today, today + DAY),  # another unit
        (leader, today, today + DAY),  # oneself
        (deputy, today - DAY, today + DAY),  # begins in the past
        (deputy, today + 5 * DAY, today + DAY),  # ends before it begins
        (deputy, today, today + 400 * DAY),  # longer than a year
    ):
        with pytest.raises(InvalidInput):
            deputies.name_deputy(leader, leader, who, start, end)
    with pytest.raises(Forbidden):
        deputies.name_deputy(deputy, leader, deputy, today, today + DAY)
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    made = client.post(
        "/deputies",
        data={
            "leader": "TRUONG.PHONG.DANG",
            "deputy": "pho.phong.uyen",
            "starts_on": today.isoformat(),
            "ends_on": (today + 2 * DAY).isoformat(),
        },
    )
    assert made.status_code == 302
    assert db.session.scalar(select(Delegation.created_by_id)) == admin.id
    login(client, deputy)
    refused = client.post(
        "/deputies",
        data={"deputy_id": leader.id, "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    assert refused.status_code == 403  # an officer names nobody


def test_supervisors_see_the_delegations_in_force_in_their_subtree(client, make, org, unit, today):
    deputies.name_deputy(unit["leader"], unit["leader"], unit["deputy"], today, today + DAY)
    above = make.user("supervisor", org["ministry"])
    outside = make.user("supervisor", org["other"])
    login(client, above)
    assert "Lê Thị Uyên" in client.get("/deputies").text
    login(client, outside)
    assert "Lê Thị Uyên" not in client.get("/deputies").text


def test_the_policy_gives_the_deputy_the_leaders_rights_on_the_unit_only(unit, today):
    leader, deputy, task, other = unit["leader"], unit["deputy"], unit["task"], unit["other"]
    predicates = (
        policy.can_report_progress,
        policy.can_contribute,
        policy.can_attach_evidence,
        policy.can_request_extension,
        policy.can_update_task,
        policy.can_give_to_someone,
    )
    deputies.apply(deputy)
    before = [predicate(deputy, task) for predicate in predicates]
    assert before == [False] * len(predicates)  # an officer who does not own it
    assert not policy.can_give_in_own_unit(deputy)
    deputies.name_deputy(leader, leader, deputy, today, today + DAY)
    deputies.apply(deputy)
    for predicate in predicates:
        assert predicate(deputy, task) == predicate(leader, task), predicate.__name__
        assert predicate(deputy, other) == predicate(leader, other) is False
    assert policy.can_give_in_own_unit(deputy)  # the page of several tasks to give
    # what the leader may not do, the deputy may not either
    assert not policy.can_verify(deputy, task) and not policy.can_cancel(deputy, task)


def test_through_the_api_the_deputy_acts_for_the_leader_only_in_the_range(
    app, client, unit, today, time_machine
):
    """A bearer token carries the delegations in force on each request, as a session does."""
    login(client, unit["leader"])
    name(client, unit["deputy"], today + 1 * DAY, today + 2 * DAY)
    token, _ = tokens.issue_token(unit["deputy"].username, PASSWORD)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def patch(percent):
        task = api.get(f"/api/v1/tasks/{unit['task'].id}", headers=headers).get_json()
        body = {"version": task["version"], "status": lifecycle.IN_PROGRESS, "progress": percent}
        return api.patch(f"/api/v1/tasks/{unit['task'].id}", headers=headers, json=body)

    assert patch(15).status_code == 403  # not yet
    now = clock.now()
    time_machine.move_to(now + 1 * DAY, tick=False)
    answer = patch(25)
    assert (answer.status_code, answer.get_json()["progress"]) == (200, 25)
    entry = db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == unit["task"].id)
        .order_by(StatusUpdate.id.desc())
    )
    assert (entry.actor_id, entry.on_behalf_of_id) == (unit["deputy"].id, unit["leader"].id)
    time_machine.move_to(now + 3 * DAY, tick=False)
    assert patch(35).status_code == 403  # over by itself


def test_the_people_a_leader_may_name_come_in_vietnamese_alphabetical_order(
    client, make, org, unit
):
    """The deputy chooser orders the unit's people as a Vietnamese reader does (Đ after D,
    Ư before V), not by code point."""
    for username, name in (("vu.an", "Vũ An"), ("dang.binh", "Đặng Bình"), ("ung.chi", "Ưng Chi")):
        make.user("officer", org["department"], username=username, name=name)
    login(client, unit["leader"])
    page = client.get("/deputies").text
    chooser = page[page.index("<select") : page.index("</select>")]
    offered = [name for name in ("Đặng Bình", "Lê Thị Uyên", "Ưng Chi", "Vũ An") if name in chooser]
    assert sorted(offered, key=chooser.index) == ["Đặng Bình", "Lê Thị Uyên", "Ưng Chi", "Vũ An"]


def test_the_days_are_typed_and_shown_day_month_year_whatever_the_browser(client, unit, today):
    """The first and last day are text boxes in dd/mm/yyyy, as every other day of the
    tracker: the browser's own date box showed *12/08/2026* for 8 December to a reader whose
    browser speaks American English. A day that does not exist is refused as such (not as
    a missing one), the days typed are kept on the form, and nothing is saved."""
    vietnamese = {"Accept-Language": "vi-VN,vi;q=0.9"}
    login(client, unit["leader"])
    page = client.get("/deputies", headers=vietnamese).text
    first = re.search(r'<input id="starts_on"[^>]*>', page).group(0)
    assert 'type="text"' in first and f'value="{today:%d/%m/%Y}"' in first
    assert 'placeholder="ngày/tháng/năm"' in first
    last_day = today + 9 * DAY
    typed = {
        "deputy_id": unit["deputy"].id,
        "starts_on": f"{today:%d/%m/%Y}",
        "ends_on": f"{last_day:%d/%m/%Y}",
    }
    refused = client.post("/deputies", data={**typed, "ends_on": "31/02/2027"}, headers=vietnamese)
    assert refused.status_code == 422
    assert "31/02/2027 không phải là một ngày: hãy viết ngày/tháng/năm" in refused.text
    assert 'value="31/02/2027"' in refused.text and f'value="{today:%d/%m/%Y}"' in refused.text
    assert db.session.scalar(select(Delegation.id)) is None
    assert client.post("/deputies", data=typed, headers=vietnamese).status_code == 302
    named = db.session.scalars(select(Delegation)).one()
    assert (named.starts_on, named.ends_on) == (today, last_day)
    shown = client.get("/deputies", headers=vietnamese).text
    assert f"<td>{today:%d/%m/%Y}</td><td>{last_day:%d/%m/%Y}</td>" in shown
