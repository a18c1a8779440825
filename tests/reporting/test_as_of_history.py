"""Figures as of a past day are rebuilt from the history, not from today's values.

A history is played through the services (progress, an extension, submission, verification,
a cancellation, an administrator's deadline change), each step dated by hand; the counts of
several past days are then checked against ones worked out by hand, on the API, the screen
and the CSV export, and checked again after later changes to the same tasks.
"""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.infra import clock
from tracker.models import ExtensionRequest, StatusUpdate, Task
from tracker.models.task import mark_superseded
from tracker.reporting import as_of
from tracker.work import deadline_extensions as extensions
from tracker.work import tasks

from ..histories import at, progress

# (on time, late, within deadline, overdue) by hand, per report day.
EXPECTED = {
    # A within (20/9), B within, D on time (completed 8/9), E within, F overdue (5/9).
    date(2025, 9, 14): (1, 0, 3, 1),
    # A within (extended to 15/10), B overdue, D on time, E overdue, F overdue; C not yet.
    date(2025, 9, 30): (1, 0, 1, 3),
    # A submitted but not yet verified: within 15/10; C within; E cancelled: left out.
    date(2025, 10, 11): (1, 0, 2, 2),
    # A verified: completed 10/10, on time against 15/10.
    date(2025, 10, 12): (2, 0, 1, 2),
    # F's deadline moved to 30/11 on 20/10: within from then on.
    date(2025, 10, 20): (2, 0, 2, 1),
}


def summary(client, day: date) -> tuple:
    url = f"/api/v1/reports/summary?directive=57-NQ/TW&as_of={day}"
    body = client.get(url, headers=client.auditor_token).get_json()
    counts = body["counts"]
    return (
        counts["completed_on_time"],
        counts["completed_late"],
        counts["within_deadline"],
        counts["overdue"],
    )


def test_past_days_are_counted_from_the_history(auditor, history):
    for day, expected in EXPECTED.items():
        assert summary(auditor, day) == expected, day


def test_later_changes_do_not_move_past_figures(auditor, history, make, org):
    before = {day: summary(auditor, day) for day in EXPECTED}
    b = history["b"]
    leader = make.user("unit_leader", org["department"])
    supervisor = make.user("supervisor", org["ministry"])
    db.session.refresh(b)
    request = extensions.request_extension(
        leader, b, clock.today() + timedelta(days=90), "More data needed."
    )
    extensions.decide_extension(supervisor, request, True, "")
    # Judged by today's deadline, B would now be within deadline on every past day.
    assert {day: summary(auditor, day) for day in EXPECTED} == before
    # Today (after 2025) A and D are done, B is within its new deadline, C and F are overdue.
    assert summary(auditor, clock.today()) == (2, 0, 1, 2)


def test_a_past_day_before_the_first_entry_counts_nothing(auditor, history):
    assert summary(auditor, date(2025, 6, 30)) == (0, 0, 0, 0)


def test_export_and_screen_show_the_task_as_it_stood(auditor, history):
    text = auditor.get("/reports/tasks.csv?directive=57-NQ/TW&as_of=2025-09-30").text
    rows = {row["task_code"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert sorted(rows) == ["A", "B", "D", "E", "F"]
    assert rows["A"]["status"] == "In progress"
    assert rows["A"]["percent_done"] == "40"
    assert rows["A"]["deadline"] == "2025-10-15"
    assert rows["A"]["timeliness"] == "Not completed, within deadline"
    assert rows["E"]["status"] == "In progress"
    assert rows["E"]["timeliness"] == "Not completed, overdue"
    assert rows["E"]["days_overdue"] == "1"
    assert rows["F"]["deadline"] == "2025-09-05"
    assert rows["D"]["timeliness"] == "Completed on time"

    page = auditor.get("/tasks?directive=57-NQ/TW&as_of=2025-09-30&timeliness=overdue")
    assert page.status_code == 200
    for code in ("B", "E", "F"):
        assert f">{code}<" in page.text
    assert ">A<" not in page.text


def test_a_past_days_list_pages_and_totals_as_it_stood(auditor, history):
    """The list of 30/9 (five tasks then; C came later) split into pages of two: the total is
    the day's, every page shows it, and the pages hold the five in urgency order."""
    shown = []
    for page in (1, 2, 3):
        url = f"/api/v1/tasks?directive=57-NQ/TW&as_of=2025-09-30&per_page=2&page={page}"
        body = auditor.get(url, headers=auditor.auditor_token).get_json()
        assert body["total"] == 5, page
        shown += [(task["code"], task["timeliness"]) for task in body["items"]]
    # Overdue first (most overdue first: F 5/9, then B, E), then within deadline, then done.
    assert [code for code, _ in shown] == ["F", "B", "E", "A", "D"]
    assert [klass for _, klass in shown[:3]] == ["overdue"] * 3
    past_the_end = auditor.get(
        "/api/v1/tasks?directive=57-NQ/TW&as_of=2025-09-30&per_page=2&page=4",
        headers=auditor.auditor_token,
    ).get_json()
    assert (past_the_end["total"], past_the_end["items"]) == (5, [])


def test_tasks_given_to_no_one_on_a_past_day_are_those_open_then(auditor, history):
    """None of the five has an owner; on 30/9 A, B, E and F were open (D was done, C not
    yet given): the list and its total are the day's, not today's (when A is done and E
    cancelled)."""
    url = "/api/v1/tasks?directive=57-NQ/TW&unassigned=true&per_page=2&as_of=2025-09-30"
    shown, total = [], set()
    for page in (1, 2):
        body = auditor.get(f"{url}&page={page}", headers=auditor.auditor_token).get_json()
        shown += [task["code"] for task in body["items"]]
        total.add(body["total"])
    assert (shown, total) == (["F", "B", "E", "A"], {4})
    today = auditor.get(
        "/api/v1/tasks?directive=57-NQ/TW&unassigned=true", headers=auditor.auditor_token
    ).get_json()
    assert sorted(task["code"] for task in today["items"]) == ["B", "C", "F"]


def test_every_entry_carries_the_deadline_in_force_after_it(history):
    a = db.session.scalar(select(Task).where(Task.code == "A"))
    deadlines = [
        entry.deadline
        for entry in db.session.scalars(
            select(StatusUpdate).where(StatusUpdate.task_id == a.id).order_by(StatusUpdate.id)
        )
    ]
    approved = db.session.scalar(select(ExtensionRequest).where(ExtensionRequest.task_id == a.id))
    assert approved.status == "approved"
    # assigned, in progress, extension asked: 20/9; approved and after: 15/10.
    assert deadlines == [date(2025, 9, 20)] * 3 + [date(2025, 10, 15)] * 3


def entries_in_force_by_the_rule(day: date) -> dict[int, int]:
    """task id → the last entry written (highest id) among those dated before the day ended:
    the rule, worked out here from every entry."""
    moment = as_of.day_end(day)
    in_force: dict[int, int] = {}
    for entry in db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)):
        if clock.aware(entry.created_at) < moment:
            in_force[entry.task_id] = entry.id
    return in_force


def entries_in_force_as_read(day: date) -> dict[int, int]:
    entries = StatusUpdate.__table__
    rows = db.session.execute(
        select(entries.c.task_id, entries.c.id).where(as_of.in_force(entries, as_of.day_end(day)))
    ).all()
    assert len(rows) == len({task_id for task_id, _ in rows}), "one entry per task"
    return dict(rows)


def test_history_written_later_with_a_past_date_is_in_force_from_that_date(
    auditor, history, make, org
):
    """A progress report written last but dated 15/8 (an officer catching up), before B's
    1/9 report already there, is the record from 15/8 on: the 1/9 entry, written before it,
    is superseded from 15/8; and every past day has exactly one entry in force per task."""
    b = db.session.scalar(select(Task).where(Task.code == "B"))
    leader = make.user("unit_leader", org["department"], username="trưởng phòng Đặng")
    progress(leader, b, lifecycle.IN_PROGRESS, 45, date(2025, 8, 15))
    days = [date(2025, 8, 14), date(2025, 8, 15), date(2025, 9, 1), date(2025, 9, 30)]
    days += [date(2025, 10, 20), date(2025, 12, 31)]
    for day in days:
        assert entries_in_force_as_read(day) == entries_in_force_by_the_rule(day), day
    newest = db.session.scalar(
        select(StatusUpdate).where(StatusUpdate.task_id == b.id).order_by(StatusUpdate.id.desc())
    )
    assert entries_in_force_as_read(date(2025, 9, 14))[b.id] == newest.id
    page = auditor.get("/tasks?directive=57-NQ/TW&as_of=2025-09-14")
    assert page.status_code == 200
    row = page.text.split(">B<", 1)[1].split("</tr>", 1)[0]
    assert "45%" in row


def superseded_moments() -> dict[int, object]:
    entries = StatusUpdate.__table__
    rows = db.session.execute(select(entries.c.id, entries.c.superseded_at)).all()
    return {entry_id: clock.aware(moment) if moment else None for entry_id, moment in rows}


def test_an_entry_added_alone_supersedes_as_a_recount_of_the_whole_history_does(history, make, org):
    """Each update writes one entry, whose moment is folded into its task's earlier entries
    (not the task's whole history read again): a report written now, then one written
    later but dated back to 20/8/2025, between the task's earlier entries. Every entry's
    superseded_at is then what recomputing every task's history from scratch gives, and
    the dated-back entry is in force from 20/8 until the next entry's moment."""
    b = db.session.scalar(select(Task).where(Task.code == "B"))
    leader = make.user("unit_leader", org["department"], username="phó phòng Lưu Đức Ưng")
    tasks.report_progress(leader, b, b.version, lifecycle.IN_PROGRESS, 55, "Đã họp Sở Tư pháp")
    later_entries = list(
        db.session.scalars(
            select(StatusUpdate.id).where(
                StatusUpdate.task_id == b.id, StatusUpdate.created_at > at(date(2025, 8, 20))
            )
        )
    )
    dated_back = StatusUpdate(
        task=b,
        actor=leader,
        created_at=at(date(2025, 8, 20)),
        old_status=lifecycle.IN_PROGRESS,
        new_status=lifecycle.IN_PROGRESS,
        old_percent=55,
        new_percent=30,
        note="Báo cáo bổ sung của Văn phòng Đảng ủy",
    )
    db.session.add(dated_back)
    db.session.commit()
    kept = superseded_moments()
    assert kept[dated_back.id] is None  # written last: nothing written after it
    assert later_entries and all(kept[i] == at(date(2025, 8, 20)) for i in later_entries)
    mark_superseded(db.session.connection())
    assert superseded_moments() == kept
