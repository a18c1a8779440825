"""Task screens through the test client: My unit, the task page, the progress form."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import StatusUpdate, Task
from tracker.work import tasks

from ..conftest import login


def codes_in_order(html: str) -> list[str]:
    return re.findall(r"<strong>(T-[a-z0-9]+)</strong>", html)


def test_my_unit_sorts_by_urgency(client, make, org, today):
    leader = make.user("unit_leader", org["institute"])
    directive = make.directive()
    day = timedelta(days=1)
    make.task(org["institute"], directive, code="T-later", deadline=today + 40 * day)
    make.task(org["institute"], directive, code="T-soon", deadline=today + 2 * day)
    make.task(org["institute"], directive, code="T-over1", deadline=today - day)
    make.task(org["institute"], directive, code="T-over9", deadline=today - 9 * day)
    make.task(org["institute"], directive, code="T-today", deadline=today)
    make.task(
        org["institute"],
        directive,
        code="T-done",
        deadline=today - 3 * day,
        status=lifecycle.COMPLETED,
        completed_on=today - 4 * day,
    )
    make.task(org["other"], directive, code="T-elsewhere", deadline=today - 5 * day)
    login(client, leader)
    page = client.get("/my-unit")
    assert page.status_code == 200
    assert codes_in_order(page.text) == [
        "T-over9",
        "T-over1",
        "T-today",
        "T-soon",
        "T-later",
        "T-done",
    ]
    assert "Not completed, overdue by 9 d" in page.text


def test_my_unit_empty_state_says_what_to_do(client, make, org):
    login(client, make.user("unit_leader", org["institute"]))
    page = client.get("/my-unit")
    assert "No tasks here yet" in page.text


def test_task_page_shows_history_and_the_form(client, make, org):
    leader = make.user("unit_leader", org["institute"], name="Phan Đăng Phong")
    task = make.task(org["institute"], title="Localise hydropower equipment")
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 30, "Design phase done.")
    login(client, leader)
    page = client.get(f"/tasks/{task.id}")
    assert "Localise hydropower equipment" in page.text
    assert "Design phase done." in page.text
    assert "Phan Đăng Phong" in page.text
    assert "Task assigned." in page.text
    assert 'name="version" type="hidden" value="2"' in page.text
    assert "Report progress" in page.text


def test_a_tasks_description_keeps_its_lines(client, make, org):
    task = make.task(
        org["institute"],
        title="Nội địa hóa thiết bị thủy điện",
        description="Bước 1: khảo sát nhu cầu.\nBước 2: lập đề án Đường sắt.",
    )
    login(client, make.user("unit_leader", org["institute"]))
    page = client.get(f"/tasks/{task.id}").text
    assert '<p class="note">Bước 1: khảo sát nhu cầu.\nBước 2: lập đề án Đường sắt.</p>' in page


def test_each_history_entry_shows_its_own_evidence(client, make, org):
    """Evidence given with a progress report is shown under that report, in the order it
    was given; evidence attached on its own is listed with the task's, under no entry."""
    leader = make.user("unit_leader", org["institute"], name="Đỗ Thị Hương")
    task = make.task(org["institute"], title="Khảo sát thủy điện nhỏ")
    first = "https://congthuong.example.vn/bao-cao-dot-1"
    second = "https://congthuong.example.vn/bao-cao-đợt-2"
    tasks.report_progress(leader, task, 1, lifecycle.IN_PROGRESS, 30, "Đợt 1", first)
    tasks.report_progress(leader, task, 2, lifecycle.IN_PROGRESS, 60, "Đợt 2", second)
    tasks.report_progress(leader, task, 3, lifecycle.IN_PROGRESS, 70, "Không kèm bằng chứng")
    login(client, leader)
    page = client.get(f"/tasks/{task.id}").text
    history = page[page.index('<section id="history"') :]
    entries = re.findall(r"<li>(.*?)</li>", history, re.S)
    shown = [
        (
            re.search(r'<p class="note">([^<]*)', entry)[1],
            re.findall(r'Evidence: <a href="([^"]+)"', entry),
        )
        for entry in entries
    ]
    assert shown[:3] == [("Không kèm bằng chứng", []), ("Đợt 2", [second]), ("Đợt 1", [first])]
    assert all(found == [] for _, found in shown[3:])


def test_progress_form_saves_and_redirects(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    task = make.task(org["institute"])
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "45", "note": "Started.", "version": "1"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Progress on" in page.text and "saved" in page.text
    db.session.rollback()  # see what other connections committed
    assert (task.status, task.percent_done, task.version) == ("in_progress", 45, 2)


def test_stale_form_is_refused_and_keeps_what_was_typed(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    colleague = make.user("supervisor", org["ministry"], name="Colleague")
    task = make.task(org["institute"])
    # the colleague saves first
    tasks.report_progress(colleague, task, 1, lifecycle.IN_PROGRESS, 60, "Colleague's update")
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "20", "note": "My old view", "version": "1"},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    assert "My old view" in response.text  # what the user typed is still in the form
    assert "Colleague&#39;s update" in response.text  # the newer change is shown
    db.session.rollback()  # see what other connections committed
    assert task.percent_done == 60
    assert (
        db.session.scalar(
            select(func.count(StatusUpdate.id)).where(StatusUpdate.task_id == task.id)
        )
        == 2
    )


def test_invalid_percent_is_refused_with_a_field_message(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    task = make.task(org["institute"])
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "in_progress", "percent_done": "150", "version": "1"},
    )
    assert response.status_code == 422
    assert "Number must be between 0 and 100" in response.text
    db.session.rollback()  # see what other connections committed
    assert task.version == 1


def test_illegal_status_is_refused(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    task = make.task(org["institute"])
    login(client, leader)
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "completed", "percent_done": "100", "version": "1"},
    )
    assert response.status_code == 422
    assert "only a supervisor&#39;s verification" in response.text
    db.session.rollback()  # see what other connections committed
    assert task.status == "not_started"


def test_supervisor_verifies_a_submitted_task(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    supervisor = make.user("supervisor", org["ministry"])
    task = make.task(org["institute"])
    tasks.report_progress(
        leader, task, 1, lifecycle.SUBMITTED, 100, "Decree issued.", "https://example.gov.vn/d"
    )
    login(client, supervisor)
    page = client.get(f"/tasks/{task.id}")
    assert '<option value="completed">Completed</option>' in page.text
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"status": "completed", "percent_done": "100", "note": "Accepted.", "version": "2"},
    )
    assert response.status_code == 302
    db.session.rollback()  # see what other connections committed
    assert task.status == "completed" and task.completed_on is not None


def test_other_units_task_is_forbidden_with_its_own_page(client, make, org):
    leader = make.user("unit_leader", org["other"])
    task = make.task(org["institute"])
    login(client, leader)
    response = client.get(f"/tasks/{task.id}")
    assert response.status_code == 403
    assert "You may not see this task" in response.text
    assert client.get("/tasks/987654").status_code == 404
    assert "Not found" in client.get("/tasks/987654").text


def test_auditor_sees_no_form(client, make, org):
    auditor = make.user("auditor", org["other"])
    task = make.task(org["institute"])
    login(client, auditor)
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200
    assert "Report progress" not in page.text
    assert "Auditors read and export" in page.text


def test_task_list_paginates(client, make, org):
    admin = make.user("admin", org["ministry"])
    directive = make.directive()
    for _ in range(30):
        make.task(org["institute"], directive)
    login(client, admin)
    first = client.get("/tasks?per_page=25")
    assert "Page 1 of 2" in first.text
    assert first.text.count("<tr>") == 26  # header + 25 rows
    second = client.get("/tasks?per_page=25&page=2")
    assert second.text.count("<tr>") == 6


def test_task_list_filter_errors_are_clear(client, make, org):
    login(client, make.user("admin", org["ministry"]))
    response = client.get("/tasks?timeliness=late-ish")
    assert response.status_code == 422
    assert "Filter timeliness" in response.text


def test_search_finds_by_code_and_title(client, make, org):
    admin = make.user("admin", org["ministry"])
    directive = make.directive()
    make.task(org["institute"], directive, code="CL-01", title="Railway industry scheme")
    make.task(org["institute"], directive, code="CL-02", title="Waste heat power line")
    login(client, admin)
    assert "CL-01" in client.get("/tasks?q=railway").text
    assert "CL-02" not in client.get("/tasks?q=railway").text
    assert "CL-02" in client.get("/tasks?q=cl-02").text
    assert db.session.scalar(select(func.count(Task.id))) == 2


def test_a_unit_leaders_directive_filter_offers_the_directives_of_their_tasks(client, make, org):
    """A national tracker has thousands of directives: a unit leader's filter lists those of
    the tasks they see, and the one they chose; an auditor's lists every directive."""
    theirs = make.directive("12/QĐ-TTg")
    coordinated = make.directive("2795/QĐ-BCT")
    elsewhere = make.directive("57-NQ/TW")
    chosen = make.directive("Đề án 06")
    make.task(org["institute"], theirs)
    make.task(org["other"], coordinated, coordinating_units=[org["institute"]])
    make.task(org["other"], elsewhere)
    make.task(org["other"], chosen)

    def offered(path):
        page = client.get(path).get_data(as_text=True)
        return re.findall(r'<option value="([^"]+)" ?(?:selected)?>\1</option>', page)

    login(client, make.user("unit_leader", org["institute"], username="trưởng phòng Ưng"))
    for path in ("/tasks", "/dashboard"):
        assert offered(path) == ["12/QĐ-TTg", "2795/QĐ-BCT"], path
    assert offered("/tasks?directive=Đề án 06") == ["12/QĐ-TTg", "2795/QĐ-BCT", "Đề án 06"]
    login(client, make.user("auditor", org["ministry"], username="kiểm toán Đào"))
    assert offered("/tasks") == ["12/QĐ-TTg", "2795/QĐ-BCT", "57-NQ/TW", "Đề án 06"]


def test_a_long_history_is_shown_fifty_entries_a_page_newest_first(client, make, org):
    """A task reported on every working day has hundreds of entries: the page shows the
    newest fifty, and pages back to the first; a page past the end shows the last one."""
    leader = make.user("unit_leader", org["institute"], name="Phạm Văn Đức")
    task = make.task(org["institute"], title="Báo cáo tiến độ hằng ngày ở Điện Biên")
    for day in range(1, 55):
        tasks.report_progress(
            leader, task, task.version, lifecycle.IN_PROGRESS, day, f"Báo cáo ngày {day}"
        )
    in_all = db.session.scalar(
        select(func.count()).select_from(StatusUpdate).where(StatusUpdate.task_id == task.id)
    )
    login(client, leader)

    def notes(page: str | None) -> list[str]:
        query = {"history_page": page} if page is not None else {}
        html = client.get(
            f"/tasks/{task.id}", query_string=query, headers={"Accept-Language": "vi"}
        ).text
        history = html[html.index('<section id="history"') :]
        shown = 2 if page in ("2", "99") else 1
        assert f"Trang {shown} / 2 · tổng cộng {in_all}" in history, page
        other = 1 if shown == 2 else 2  # the link to the other page opens at the history
        assert f'href="/tasks/{task.id}?history_page={other}#history"' in history, page
        return re.findall(r'<p class="note">Báo cáo ngày (\d+)</p>', history)

    first = notes(None)
    assert first == [str(day) for day in range(54, 4, -1)]  # the newest fifty
    assert notes("1") == first and notes("không phải số") == first
    older = notes("2")  # and the entry of the task's creation
    assert in_all == 55 and older == ["4", "3", "2", "1"]
    assert notes("99") == older


def test_the_queue_to_decide_holds_the_submitted_tasks_of_the_supervisors_subtree(client, make):
    """At the head of the only tree a supervisor decides on every submitted task (read
    without listing the units); below it, on those of their own units."""
    root = make.unit("BCĐTW", name="Ban Chỉ đạo Trung ương")
    bct = make.unit("BCT", root, name="Bộ Công Thương")
    khcn = make.unit("Vụ KHCN", bct, name="Vụ Khoa học và Công nghệ")
    yte = make.unit("BYT", root, name="Bộ Y tế")
    ours = make.task(khcn, code="NV 01/QĐ", status=lifecycle.SUBMITTED)
    theirs = make.task(yte, code="NV 02/BYT", status=lifecycle.SUBMITTED)
    make.task(khcn, code="NV 03/QĐ", status=lifecycle.IN_PROGRESS)

    def queue(supervisor) -> set[str]:
        login(client, supervisor)
        page = client.get("/verification")
        assert page.status_code == 200
        return {code for code in ("NV 01/QĐ", "NV 02/BYT", "NV 03/QĐ") if code in page.text}

    assert queue(make.user("supervisor", root)) == {ours.code, theirs.code}
    assert queue(make.user("supervisor", bct)) == {ours.code}


def test_a_unit_leader_gives_a_task_to_someone_of_the_unit(client, make, org):
    """The lead unit's leader chooses who works on a task from the task page; that person
    is told and may then report on it. Someone of another unit, a stale version and a
    closed task are refused, and change nothing."""
    from tracker.models import AuditEvent, Notification

    institute = org["institute"]
    leader = make.user("unit_leader", institute, name="Phan Đăng Phong", language="vi")
    huong = make.user("officer", institute, username="ng.huong", name="Nguyễn Thị Hương")
    make.user("officer", institute, username="vu.an", name="Vũ Văn An")
    stranger = make.user("officer", org["other"], username="la.khach", name="Lã Khách")
    task = make.task(institute, code="NV 01/Đ", title="Số hóa hồ sơ")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    login(client, leader)
    page = client.get(f"/tasks/{task.id}").text
    chooser = page[
        page.index('name="owner_id"') : page.index("</select>", page.index('name="owner_id"'))
    ]
    assert re.findall(r">([^<]+)</option>", chooser) == [
        "— chưa giao ai —",
        "Nguyễn Thị Hương (ng.huong)",
        "Phan Đăng Phong (" + leader.username + ")",
        "Vũ Văn An (vu.an)",
    ]

    def give(person_id, version) -> int:
        return client.post(
            f"/tasks/{task.id}/owner", data={"owner_id": person_id, "version": version}
        ).status_code

    def state():
        db.session.expire_all()
        return (
            task.owner_id,
            task.version,
            db.session.scalar(select(func.count(AuditEvent.id))),
            db.session.scalar(select(func.count(Notification.id))),
        )

    before = state()
    assert give(stranger.id, task.version) == 422  # not one of the choices
    assert give("１", task.version) == 422
    # A stale version: sent back to the page with the reason, nothing saved.
    assert give(huong.id, task.version + 5) == 302
    assert state() == before

    response = client.post(
        f"/tasks/{task.id}/owner",
        data={"owner_id": huong.id, "version": task.version},
        follow_redirects=True,
    )
    assert "Đã giao nhiệm vụ NV 01/Đ cho Nguyễn Thị Hương." in response.text
    history = response.text[response.text.index('id="history"') :]
    assert "Phan Đăng Phong:" in history and "Giao cho Nguyễn Thị Hương." in history
    db.session.expire_all()
    assert (task.owner_id, task.version) == (huong.id, before[1] + 1)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.before, event.after) == (
        "task.given",
        {"owner_id": None},
        {"owner_id": huong.id},
    )
    told = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind) for n in told] == [(huong.id, "task.assigned")]

    # She reports on it now.
    login(client, huong)
    assert (
        client.post(
            f"/tasks/{task.id}/progress",
            data={"status": "in_progress", "percent_done": "20", "version": task.version},
        ).status_code
        == 302
    )
    # A closed task is given to no one.
    db.session.expire_all()
    task.status = lifecycle.CANCELLED
    db.session.commit()
    login(client, leader)
    assert 'name="owner_id"' not in client.get(f"/tasks/{task.id}").text
    assert give("None", task.version) == 403


def test_my_unit_lists_the_tasks_given_to_no_one_until_one_is_given(client, make, org, today):
    """A unit leader finds the open tasks nobody of the unit works on yet, gives one to an
    officer, and it leaves that list; the unit's cards still count all its tasks."""
    leader = make.user("unit_leader", org["institute"], name="Phan Đăng Phong")
    officer = make.user("officer", org["institute"], name="Lê Thu Hà")
    directive = make.directive()
    given = make.task(org["institute"], directive, code="NV 01/Đ", owner=officer)
    first = make.task(org["institute"], directive, code="NV 02/Đ ưu tiên")
    make.task(org["institute"], directive, code="NV 03/Đ", deadline=today - timedelta(days=3))
    make.task(org["other"], directive, code="NV 04/Đ nơi khác")
    make.task(
        org["institute"],
        directive,
        code="NV 05/Đ xong",
        status=lifecycle.COMPLETED,
        completed_on=today - timedelta(days=1),
    )
    login(client, leader)

    page = client.get("/my-unit?unassigned=1")
    assert page.status_code == 200
    listed = re.findall(r"<strong>(NV [^<]+)</strong>", page.text)
    assert listed == ["NV 03/Đ", "NV 02/Đ ưu tiên"]  # the overdue one first; none closed
    assert re.search(r'aria-current="page">Given to no one yet \(2\)<', page.text)
    assert '<span class="n">2</span> ○ Not completed, within deadline' in page.text
    assert '<span class="n">1</span> ✓ Completed on time' in page.text
    assert given.code not in listed

    tasks.give_to(leader, first, first.version, officer)
    db.session.commit()
    listed = re.findall(r"<strong>(NV [^<]+)</strong>", client.get("/my-unit?unassigned=1").text)
    assert listed == ["NV 03/Đ"]
    assert ">Given to no one yet (1)<" in client.get("/my-unit").text


def test_my_unit_says_when_every_task_is_given(client, make, org):
    leader = make.user("unit_leader", org["institute"])
    make.task(org["institute"], code="NV 01/Đ", owner=leader)
    login(client, leader)
    page = client.get("/my-unit?unassigned=1")
    assert "Every open task of INS has been given to someone" in page.text
    assert "NV 01/Đ" not in page.text


def test_the_task_list_and_its_exports_narrow_to_tasks_given_to_no_one(client, make, org):
    admin = make.user("admin", org["ministry"])
    officer = make.user("officer", org["institute"], username="ha")
    directive = make.directive(code="15/CT-TTg")
    make.task(org["institute"], directive, code="NV 01/Đ", owner=officer)
    make.task(org["institute"], directive, code="NV 02/Đ")
    login(client, admin)
    page = client.get("/tasks?unassigned=1")
    assert "NV 02/Đ" in page.text and "NV 01/Đ" not in page.text
    assert '<option value="1" selected>Given to no one yet</option>' in page.text
    export = client.get("/reports/tasks.csv?unassigned=1")
    assert export.status_code == 200
    rows = export.data.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "NV 02/Đ" in rows[1]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("unassigned=perhaps", "use true or false"),
        ("unassigned=1&owner=ha", "not both"),
    ],
)
def test_a_contradictory_or_unreadable_unassigned_filter_is_refused(
    client, make, org, query, words
):
    login(client, make.user("admin", org["ministry"]))
    page = client.get(f"/tasks?{query}")
    assert page.status_code == 422 and words in page.text
