"""Closing a period freezes its report: later changes to the tasks never change it, and the
"changes since close" view lists what moved."""

import csv
import io
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.audit import verify_trail
from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.infra import clock
from tracker.jobs import queue, runner
from tracker.models import AuditEvent, ClosingTask, Job, PeriodClosing, Task, Unit, User
from tracker.reporting import closings, snapshots
from tracker.reporting.task_queries import TaskFilters
from tracker.web.reports import routes as report_routes
from tracker.work import deadline_extensions as extensions
from tracker.work import tasks

from ..conftest import login
from ..histories import progress, values_of
from .test_period_and_league import Q3, cells
from .test_query_counts import counted_statements

CLOSE_Q3 = {"period": "2025-Q3", "directive": "57-NQ/TW"}
Q3_DAYS = (date(2025, 7, 1), date(2025, 9, 30))


@pytest.fixture
def supervisor(client, make, org, history):
    user = make.user("supervisor", org["ministry"])
    login(client, user)
    return user


def closings_count() -> int:
    return db.session.scalar(select(func.count(PeriodClosing.id)))


def close(client, data=CLOSE_Q3):
    return client.post(
        "/reports/period/close",
        data=data,
        headers={"Referer": "http://localhost/reports/period?period=2025-Q3"},
        follow_redirects=True,
    )


def test_a_supervisor_closes_a_period_and_its_figures_are_frozen(
    client, supervisor, make, org, history
):
    page = close(client)
    assert page.status_code == 200
    assert "Closed Q3 2025: its figures are frozen (5 tasks)." in page.text
    assert cells(page.text, "DEP")[1:] == Q3
    assert "Nothing has moved since the close." in page.text, page.text[page.text.find("<main") :]
    closing = db.session.scalar(select(PeriodClosing))
    assert closing.scope_unit.code == "MIN"  # a supervisor's closing covers their units
    assert db.session.scalar(select(func.count()).select_from(ClosingTask)) == 5
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "period.close"))
    # The long values (who closed it and when, the chain head) each take a whole row.
    closed_page = client.get(f"/reports/closings/{closing.id}").text
    assert '<div class="wide"><dt>Audit chain head at close</dt>' in closed_page
    moment = f"{clock.local_time(closing.closed_at):%d/%m/%Y %H:%M}"
    assert f"<dd>Supervisor Person ({supervisor.username}), {moment}</dd>" in closed_page
    assert f"<dd>{closing.chain_seq}:{closing.chain_hash}</dd>" in closed_page
    frozen = client.get(f"/reports/closings/{closing.id}.csv")
    saved_as = f"closed-57-NQ_TW-MIN-2025-07-01-2025-09-30-{closing.id}.csv"
    assert f'filename="{saved_as}"' in frozen.headers["Content-Disposition"]
    frozen_csv = frozen.data

    # Later: B is extended and submitted, D moves to another lead unit.
    leader = make.user("unit_leader", org["department"])
    admin = make.user("admin", org["ministry"])
    b = db.session.scalar(select(Task).where(Task.code == "B"))
    extended = clock.today() + timedelta(days=90)
    request = extensions.request_extension(leader, b, extended, "Needs more time.")
    extensions.decide_extension(supervisor, request, True, "")
    db.session.refresh(b)
    tasks.report_progress(
        leader, b, b.version, lifecycle.SUBMITTED, 100, "Done.", "https://example.gov.vn/b"
    )
    d = db.session.scalar(select(Task).where(Task.code == "D"))
    moved = values_of(d)
    moved.lead_unit = org["institute"]
    tasks.edit_task(admin, d, d.version, moved)
    db.session.commit()

    live = client.get("/reports/period?period=2025-Q3&directive=57-NQ/TW").text
    assert cells(live, "INS")[1:3] == ["1", "1"]  # D is counted under its new lead unit now
    assert "This period was closed for this scope" in live

    closed = client.get(f"/reports/closings/{closing.id}").text
    assert cells(closed, "DEP")[1:] == Q3
    assert 'scope="row">INS' not in closed.split('id="changes"')[0]
    changes = closed.split('id="changes"')[1]
    assert "2 of 5 tasks moved since the close" in changes
    assert ">B</a>" in changes and ">D</a>" in changes
    assert "In progress → <strong>Submitted, awaiting verification</strong>" in changes
    assert f"25/09/2025 → <strong>{extended:%d/%m/%Y}</strong>" in changes
    assert "DEP → <strong>INS</strong>" in changes
    # The move is in D's history, with who moved it (the changes are read from there).
    assert "Lead unit changed by an administrator: DEP → INS." in client.get(f"/tasks/{d.id}").text
    assert (
        client.get(f"/reports/closings/{closing.id}.csv").data.split(b"\r\n")[1:]
        == frozen_csv.split(b"\r\n")[1:]
    )


def test_a_period_report_shows_the_figures_its_closing_froze_whatever_else_is_asked(
    client, supervisor
):
    """A period report is of a scope (directive, units under, key tasks, deadline basis), as
    its page offers and as closing freezes it. Narrowed by hand with the task list's other
    filters, it showed other figures under the banner saying this scope's figures were
    frozen, and its button would have frozen figures other than those shown."""
    close(client)
    asked = (
        "/reports/period?period=2025-Q3&directive=57-NQ/TW&unit=DEP&owner=lê_thu_hà"
        "&q=không có từ này&key=0&status=completed&timeliness=overdue"
    )
    page = client.get(asked).text
    assert "This period was closed for this scope" in page
    assert cells(page, "DEP")[1:] == Q3
    files = re.findall(r'href="(/reports/period\.[a-z]+\?[^"]*)"', page)
    assert files and not [f for f in files if "owner=" in f or "q=" in f or "unit=" in f]
    refused = client.get("/reports/period?period=2025-Q3&owner=lê_thu_hà&unassigned=1")
    assert refused.status_code == 422


def test_an_entry_written_after_the_close_is_a_change_whatever_day_it_is_dated(
    client, supervisor, make, org, history
):
    """What moved since the close is what was written after it: an entry written later
    but dated before the close (a report recorded late) moved its task; tasks written to
    before the close only did not."""
    close(client)
    closing = db.session.scalar(select(PeriodClosing))
    leader = db.session.scalar(select(User).where(User.role == "unit_leader"))
    b = db.session.scalar(select(Task).where(Task.code == "B"))
    before_the_close = clock.local_day(closing.closed_at) - timedelta(days=3)
    progress(leader, b, lifecycle.IN_PROGRESS, 35, before_the_close, "Báo cáo muộn, ghi ngày cũ")
    changes = client.get(f"/reports/closings/{closing.id}").text.split('id="changes"')[1]
    assert "1 of 5 tasks moved since the close" in changes
    assert ">B</a>" in changes and ">E</a>" not in changes


def test_a_closed_report_shows_its_units_a_page_at_a_time(
    client, supervisor, make, org, monkeypatch
):
    """A national close holds 3,000 units: the closed report pages them as the live one
    does (all of them on one page took a second at 300,000 tasks), its totals on each."""
    resolution = db.session.scalar(select(Task).where(Task.code == "A")).directive
    make.task(org["institute"], resolution, deadline=date(2025, 8, 15), code="VIỆN Đ-01")
    db.session.commit()
    monkeypatch.setattr(report_routes, "ROWS_PER_PAGE", 1)
    close(client, {"period": "2025-Q3"})
    closing = db.session.scalar(select(PeriodClosing))
    units = [row[0] for row in closing.figures["rows"]]
    assert len(units) >= 2
    first = client.get(f"/reports/closings/{closing.id}").text
    second = client.get(f"/reports/closings/{closing.id}?units_page=2").text
    assert f'<th scope="row">{units[0]}</th>' in first
    assert f'<th scope="row">{units[1]}</th>' not in first
    assert f'<th scope="row">{units[1]}</th>' in second
    assert f"Page 1 of {len(units)}" in first and "units_page=2" in first
    assert (
        first.count('<th scope="row">Total</th>') == second.count('<th scope="row">Total</th>') == 1
    )


def test_the_list_of_closings_does_not_read_their_frozen_figures(client, supervisor):
    """A national close's figures are megabytes at 3 million tasks: the list of closed
    periods shows when and by whom, and reads none of them (73 ms for one close, before)."""
    close(client)
    closing = db.session.scalar(select(PeriodClosing))
    db.session.expire_all()
    with counted_statements() as statements:
        listed = client.get("/reports/closings").text
    assert f"/reports/closings/{closing.id}" in listed
    assert not [sql for sql in statements if "figures" in sql]
    assert cells(client.get(f"/reports/closings/{closing.id}").text, "DEP")[1:] == Q3


def test_closed_files_carry_the_frozen_figures(client, supervisor, history):
    close(client)
    closing = db.session.scalar(select(PeriodClosing))
    text = client.get(f"/reports/closings/{closing.id}.csv").data.decode("utf-8-sig")
    dep = next(row for row in csv.reader(io.StringIO(text)) if row[0] == "DEP")
    assert dep[2:] == Q3
    listing = client.get("/reports/closings").text
    assert "01/07/2025 – 30/09/2025" in listing


def jobs_count() -> int:
    return db.session.scalar(select(func.count(Job.id)))


def test_a_close_runs_in_the_background_and_its_page_goes_on_to_the_closed_report(
    client, make, org, history, monkeypatch
):
    """A national close copies millions of rows: the button queues it and shows its job's
    page while it runs (no worker has taken it here); done, that page is the closed report
    — in the closer's language, the close recorded once even if its job is run again."""
    closer = make.user("supervisor", org["ministry"], username="giám_sát_Đặng", language="vi")
    login(client, closer)
    monkeypatch.setattr(queue, "submit", lambda job_id: None)
    asked = close(client)
    job = db.session.scalar(select(Job))
    assert asked.request.path == f"/jobs/{job.id}"
    assert "<h1>Chốt kỳ</h1>" in asked.text
    assert "Bạn có thể rời trang này: kỳ được chốt ở chế độ nền" in asked.text
    assert f'data-job-state="/jobs/{job.id}/state"' in asked.text
    assert closings_count() == 0
    listed = client.get("/jobs").text
    assert "Chốt kỳ: quý 3 năm 2025 · 57-NQ/TW · MIN và các đơn vị trực thuộc" in listed, listed

    assert runner.run(job.id) == runner.FINISHED
    closing = db.session.scalar(select(PeriodClosing))
    db.session.refresh(job)
    assert (job.status, job.result) == ("done", {"closing_id": closing.id, "task_count": 5})
    page = client.get(f"/jobs/{job.id}", follow_redirects=True)
    assert page.request.path == f"/reports/closings/{closing.id}"
    assert "Đã chốt kỳ quý 3 năm 2025: số liệu được giữ nguyên (5 nhiệm vụ)." in page.text
    assert closing.closed_by_id == closer.id and closing.scope_unit.code == "MIN"
    assert "Đã chốt." in client.get("/jobs").text
    # A worker handed the job again (its broker sent it twice) finds it done: one closing.
    assert runner.run(job.id) == runner.FINISHED
    assert closings_count() == 1 and jobs_count() == 1


def test_a_close_queued_twice_is_one_job_and_one_closed_meanwhile_fails_saying_why(
    client, supervisor, monkeypatch
):
    """A second press while the close waits for a worker finds the same job. If the scope
    is closed meanwhile (another way, by the same person), the job fails with the reason
    and freezes nothing more."""
    monkeypatch.setattr(queue, "submit", lambda job_id: None)
    first, second = close(client), close(client)
    assert first.request.path == second.request.path and jobs_count() == 1
    job = db.session.scalar(select(Job))
    closings.close_period(
        supervisor, TaskFilters(directive="57-NQ/TW", report_date=clock.today()), *Q3_DAYS
    )
    assert runner.run(job.id) == runner.FINISHED
    page = client.get(f"/jobs/{job.id}")
    assert "The period was not closed; nothing was frozen." in page.text
    assert "This period is already closed for this scope" in page.text
    assert "Back to the period report" in page.text
    assert closings_count() == 1
    assert client.get(f"/jobs/{job.id}/file").status_code == 409


def test_a_close_on_its_way_is_said_to_everyone_of_its_scope_and_not_asked_twice(
    app, client, make, org, history, monkeypatch
):
    """While one supervisor's close waits for a worker, another of the same units sees it
    on the period report instead of the button, and a close they send anyway is refused
    with the same words: nothing more is queued."""
    monkeypatch.setattr(queue, "submit", lambda job_id: None)
    first = make.user("supervisor", org["ministry"], name="Đỗ Thị Hường", language="vi")
    login(client, first)
    close(client)
    job = db.session.scalar(select(Job))
    own = client.get("/reports/period?period=2025-Q3&directive=57-NQ/TW").text
    assert f'<a href="/jobs/{job.id}">Theo dõi</a>' in own and "Chốt kỳ này</button>" not in own

    other = app.test_client()
    login(other, make.user("supervisor", org["ministry"], name="Lưu Văn Đức", language="vi"))
    page = other.get("/reports/period?period=2025-Q3&directive=57-NQ/TW").text
    said = "Kỳ này đang được chốt cho phạm vi này, theo yêu cầu của Đỗ Thị Hường lúc"
    assert said in page
    assert "Chốt kỳ này</button>" not in page and f"/jobs/{job.id}" not in page
    refused = close(other)
    assert said in refused.text
    assert jobs_count() == 1 and closings_count() == 0
    # Another scope (the original deadlines) is not on its way: its button is there.
    basis = other.get("/reports/period?period=2025-Q3&directive=57-NQ/TW&deadline=original")
    assert "Chốt kỳ này</button>" in basis.text


def test_a_period_is_closed_once_per_scope(client, supervisor):
    close(client)
    again = close(client)
    assert "already closed for this scope" in again.text
    assert closings_count() == 1


def test_closings_that_differ_only_by_their_deadlines_read_apart_in_the_list(client, supervisor):
    """Judged against the deadlines in force, or against the original ones: two scopes, and
    the list says which is which (it showed two rows alike)."""
    close(client)
    close(client, {**CLOSE_Q3, "deadline": "original"})
    assert closings_count() == 2
    listing = client.get("/reports/closings").text
    assert listing.count("57-NQ/TW · MIN and its units") == 2
    assert listing.count("judged against original deadlines") == 1


def test_a_period_not_yet_over_cannot_be_closed(client, supervisor):
    page = close(client, {"from": "2025-07-01", "to": "2099-12-31"})
    assert "close it once that day is over" in page.text
    assert closings_count() == 0 and jobs_count() == 0  # refused before anything is queued


def test_a_supervisor_closes_only_their_own_units(client, supervisor):
    page = close(client, {**CLOSE_Q3, "scope": "OTH"})
    assert page.status_code == 403
    assert closings_count() == 0 and jobs_count() == 0


@pytest.mark.parametrize("role", ["auditor", "unit_leader", "officer"])
def test_only_supervisors_and_admins_close(client, make, org, history, role):
    login(client, make.user(role, org["ministry"]))
    assert close(client).status_code == 403
    assert closings_count() == 0


def test_a_closing_outside_a_supervisors_units_is_hidden(client, make, org, history):
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    close(client, {**CLOSE_Q3, "scope": "OTH"})
    closing = db.session.scalar(select(PeriodClosing))
    login(client, make.user("supervisor", org["department"]))
    assert client.get(f"/reports/closings/{closing.id}").status_code == 403
    assert "01/07/2025" not in client.get("/reports/closings").text


def test_two_concurrent_closes_of_one_scope_make_one_closing(app, make, org, history):
    """Two supervisors press "Close period" at the same moment: one closing, the other told
    it is already closed (or, when the first close is still running as they ask, that it is
    on its way); no 500."""
    browsers = []
    for _ in range(2):
        browsers.append(app.test_client())
        login(browsers[-1], make.user("supervisor", org["ministry"]))
    start = threading.Barrier(2)
    pages: list[str] = []

    def press(browser) -> None:
        start.wait()
        pages.append(close(browser).text)

    threads = [threading.Thread(target=press, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 2
    told = ("already closed for this scope", "is on its way")
    assert sum(any(words in page for words in told) for page in pages) == 1
    assert not any("Something went wrong" in page for page in pages)
    assert closings_count() == 1


@pytest.mark.postgres  # SQLite's writers queue on the whole database during a close anyway
def test_a_close_reads_one_snapshot_and_other_writes_go_on_meanwhile(
    app, client, make, org, history, monkeypatch
):
    """A national close reads its report and copies every task of its scope: seconds. It
    reads them in one snapshot and records that snapshot's chain head, so a change committed
    meanwhile neither waits for the close (it waited for the chain's head, taken by the
    close before reading) nor gets half into the closed figures."""
    supervisor = make.user("supervisor", org["ministry"], username="giám_sát_Đoàn")
    admin = make.user("admin", org["ministry"], username="quản_trị_Dương")
    d = db.session.scalar(select(Task).where(Task.code == "D"))
    ids = {"supervisor": supervisor.id, "admin": admin.id, "d": d.id}
    department, institute = org["department"].id, org["institute"].id
    head_before = db.session.scalar(select(func.max(AuditEvent.seq)))
    db.session.commit()
    read, moved = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}
    copy_into = snapshots.Snapshot.copy_into

    def paused_before_the_copy(self, *args):
        read.set()
        outcome["moved meanwhile"] = moved.wait(timeout=15)
        return copy_into(self, *args)

    monkeypatch.setattr(snapshots.Snapshot, "copy_into", paused_before_the_copy)

    def close_q3() -> None:
        with app.app_context():
            try:
                closing = closings.close_period(
                    db.session.get(User, ids["supervisor"]),
                    TaskFilters(directive="57-NQ/TW"),
                    date(2025, 7, 1),
                    date(2025, 9, 30),
                )
                outcome["closing"] = closing.id
            finally:
                db.session.remove()

    closer = threading.Thread(target=close_q3)
    closer.start()
    assert read.wait(timeout=15)
    with app.app_context():  # an admin moves D to the institute, as another request would
        task = db.session.get(Task, ids["d"])
        values = values_of(task)
        values.lead_unit = db.session.get(Unit, institute)
        tasks.edit_task(db.session.get(User, ids["admin"]), task, task.version, values)
        db.session.commit()
        db.session.remove()
    moved.set()
    closer.join(timeout=30)

    assert outcome["moved meanwhile"] is True  # saved while the close was reading
    closing = db.session.get(PeriodClosing, outcome["closing"])
    assert closing.chain_seq == head_before  # the head of what the close read
    move, close_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.seq > head_before).order_by(AuditEvent.seq)
    ).all()
    assert (move.action, close_event.action) == ("task.update", "period.close")
    frozen_d = db.session.scalar(select(ClosingTask).where(ClosingTask.task_id == ids["d"]))
    assert frozen_d.lead_unit_id == department  # as read, not as moved meanwhile
    assert db.session.get(Task, ids["d"]).lead_unit_id == institute
    login(client, supervisor)
    frozen = client.get(f"/reports/closings/{closing.id}").text
    assert cells(frozen, "DEP")[1:] == Q3  # D still counted where it was
    assert verify_trail().problems == []


@pytest.mark.parametrize(
    "scope", [{"directive": "57-NQ/TW Đ"}, {"directive": "1"}, {"scope": "ĐV KHÔNG CÓ"}]
)
def test_a_scope_naming_no_directive_or_unit_closes_nothing(client, make, org, history, scope):
    """An address naming a directive or unit by a code that names nothing (a directive's id
    typed for its code, a misspelt unit) is refused with the reason; before, the admin's
    close froze an empty report under that scope."""
    login(client, make.user("admin", org["ministry"]))
    code = next(iter(scope.values()))
    # The report of such an address says so, and offers no close.
    report = client.get("/reports/period", query_string={"period": "2025-Q3", **scope}).text
    assert f"No directive or unit has the code “{code}”: this report is empty" in report
    assert 'action="/reports/period/close"' not in report
    known = client.get("/reports/period?period=2025-Q3&directive=57-NQ/TW").text
    assert 'action="/reports/period/close"' in known and "this report is empty" not in known
    page = close(client, {"period": "2025-Q3", **scope})
    assert f"No directive or unit has the code “{code}”: nothing was closed." in page.text
    assert closings_count() == 0
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "period.close")
        )
        == 0
    )


def test_a_close_reads_on_the_trail_in_the_auditors_language(app, client, supervisor, make, org):
    """The close's event records its totals row: the trail shows its label and its figures
    in the reader's language ("Tổng", not "Total"; 40,0%, not 0.4), none of it as JSON."""
    from flask_babel import force_locale

    from tracker.infra.i18n import format_figure

    close(client)
    closing = db.session.scalar(select(PeriodClosing))
    auditor = make.user("auditor", org["ministry"], language="vi")
    login(client, auditor)
    page = client.get("/audit?action=period.").text
    with app.test_request_context(), force_locale("vi"):
        totals = "; ".join(
            "—" if value in (None, "") else format_figure(value)
            for value in closing.figures["totals"][1:]
        )
    assert "%" in totals and "." not in totals  # its rates as Vietnamese percentages
    assert f'Tổng cộng</span>: <span class="new">Tổng; {totals}</span>' in page
    assert "Total" not in page and '["' not in page
    # Its scope as the closed periods' list writes one, not the stored key.
    assert (
        'Phạm vi</span>: <span class="new">57-NQ/TW · MIN và các đơn vị trực thuộc</span>' in page
    )
    # Its count of tasks named as a count, not as a task ("Nhiệm vụ: 3" read as task 3).
    assert f'Số nhiệm vụ</span>: <span class="new">{closing.task_count}</span>' in page
