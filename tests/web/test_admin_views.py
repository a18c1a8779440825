"""Admin screens: units, users, directives, targets and tasks are created and edited through
the forms; bad input gets a clear message and changes nothing."""

import re

from sqlalchemy import func, select

from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEvent, Directive, RecurringTask, Target, Task, Unit, User
from tracker.org.directives import add_target

from ..conftest import login


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_admin_builds_the_unit_tree(client, make):
    root = make.unit("BCDTW")
    admin = make.user("admin", root)
    login(client, admin)
    response = client.post(
        "/admin/units/new",
        data={"code": "BCT", "name": "Ministry of Industry and Trade", "parent_id": root.id},
    )
    assert response.status_code == 302
    bct = db.session.scalar(select(Unit).where(Unit.code == "BCT"))
    assert bct.parent_id == root.id and bct.path == f"{root.path}{bct.id}/"
    assert "BCT" in client.get("/admin/units").text
    # a cycle is refused with a message and nothing changes
    response = client.post(
        f"/admin/units/{root.id}/edit", data={"code": "BCDTW", "name": "Loop", "parent_id": bct.id}
    )
    assert response.status_code == 422
    assert "cannot be placed under itself" in response.text
    db.session.rollback()  # see what other connections committed
    assert root.parent_id is None and root.name == "Unit BCDTW"
    # a duplicate code is refused
    response = client.post("/admin/units/new", data={"code": "BCT", "name": "Again"})
    assert response.status_code == 422 and "already exists" in response.text
    assert count(Unit) == 2


def test_moving_a_unit_moves_its_subtree(client, make):
    a, b = make.unit("A"), make.unit("B")
    child = make.unit("A1", a)
    grandchild = make.unit("A11", child)
    login(client, make.user("admin", a))
    response = client.post(
        f"/admin/units/{child.id}/edit", data={"code": "A1", "name": "Moved", "parent_id": b.id}
    )
    assert response.status_code == 302
    db.session.rollback()  # see what other connections committed
    assert grandchild.path == f"/{b.id}/{child.id}/{grandchild.id}/"
    assert grandchild.is_within(b) and not grandchild.is_within(a)


def test_the_password_hint_fits_a_new_user_and_an_existing_one(client, make):
    """A new user has no password to keep: the new-user form asks for one or an invitation,
    the edit form says an empty password keeps the current one (in the admin's Vietnamese)."""
    unit = make.unit("VNCCK")
    admin = make.user("admin", unit, name="Nguyễn Thị Quản Trị", language="vi")
    login(client, admin)
    new_form = client.get("/admin/users/new").text
    assert "hoặc gửi lời mời thay cho mật khẩu (bên dưới)" in new_form
    assert "giữ mật khẩu hiện tại" not in new_form
    edit_form = client.get(f"/admin/users/{admin.id}/edit").text
    assert "Để trống nếu giữ mật khẩu hiện tại" in edit_form
    # refused without a password, the new-user form keeps its own hint
    refused = client.post(
        "/admin/users/new",
        data={"username": "hà.lê", "name": "Lê Thu Hà", "role": "officer", "unit_id": unit.id},
    )
    assert refused.status_code == 422
    assert "hoặc gửi lời mời thay cho mật khẩu (bên dưới)" in refused.text
    assert count(User) == 1


def test_admin_creates_a_user_who_can_then_log_in(client, app, make):
    unit = make.unit("VNCCK")
    login(client, make.user("admin", unit))
    response = client.post(
        "/admin/users/new",
        data={
            "username": "ha.le",
            "name": "Lê Thu Hà",
            "email": "ha@example.gov.vn",
            "role": "officer",
            "unit_id": unit.id,
            "active": "y",
            "password": "a long enough passphrase",
        },
    )
    assert response.status_code == 302, response.text
    fresh = app.test_client()
    login_response = fresh.post(
        "/login", data={"username": "ha.le", "password": "a long enough passphrase"}
    )
    assert login_response.status_code == 302
    assert "Lê Thu Hà" in fresh.get("/my-unit").text
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()[-1] == (
        "auth.login"
    )


def test_user_form_refuses_bad_input(client, make):
    unit = make.unit("VNCCK")
    login(client, make.user("admin", unit, username="boss"))
    short = client.post(
        "/admin/users/new",
        data={
            "username": "x",
            "name": "X",
            "role": "officer",
            "unit_id": unit.id,
            "password": "short",
        },
    )
    assert short.status_code == 422 and "at least 12" in short.text
    missing = client.post(
        "/admin/users/new",
        data={"username": "y", "name": "Y", "role": "officer", "unit_id": unit.id},
    )
    assert missing.status_code == 422 and "Give the new user a password" in missing.text
    taken = client.post(
        "/admin/users/new",
        data={
            "username": "boss",
            "name": "Z",
            "role": "officer",
            "unit_id": unit.id,
            "password": "a long enough passphrase",
        },
    )
    assert taken.status_code == 422 and "already taken" in taken.text
    bad_role = client.post(
        "/admin/users/new",
        data={
            "username": "w",
            "name": "W",
            "role": "king",
            "unit_id": unit.id,
            "password": "a long enough passphrase",
        },
    )
    assert bad_role.status_code == 422
    spaced = client.post(
        "/admin/users/new",
        data={
            "username": "trần thị",
            "name": "Trần Thị Bích",
            "role": "officer",
            "unit_id": unit.id,
            "password": "a long enough passphrase",
        },
    )
    assert spaced.status_code == 422 and "letters, digits, dots or underscores" in spaced.text
    assert count(User) == 1
    # Vietnamese letters are letters, on the form as on the command line and the import.
    vietnamese = client.post(
        "/admin/users/new",
        data={
            "username": "trần.thị.bích",
            "name": "Trần Thị Bích",
            "role": "officer",
            "unit_id": unit.id,
            "password": "a long enough passphrase",
        },
    )
    assert vietnamese.status_code == 302
    assert db.session.scalar(select(User.name).where(User.username == "trần.thị.bích"))


def test_admin_deactivates_a_user(client, make):
    unit = make.unit("VNCCK")
    user = make.user("officer", unit)
    login(client, make.user("admin", unit))
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "username": user.username,
            "name": user.name,
            "role": "officer",
            "unit_id": unit.id,
        },
    )
    assert response.status_code == 302
    db.session.rollback()  # see what other connections committed
    assert user.active is False
    assert "Deactivated" in client.get("/admin/users").text


def test_admin_creates_directive_target_and_task(client, make, today):
    unit = make.unit("BCT")
    login(client, make.user("admin", unit))
    response = client.post(
        "/admin/directives/new",
        data={
            "code": "57-NQ/TW",
            "kind": "resolution",
            "title": "Breakthroughs in S&T",
            "issuing_body": "Politburo",
            "signer": "Tô Lâm",
            "issued_on": "2024-12-22",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    directive = db.session.scalar(select(Directive))
    assert directive.issued_on.isoformat() == "2024-12-22"
    duplicate = client.post(
        "/admin/directives/new",
        data={"code": "57-NQ/TW", "kind": "resolution", "title": "Again", "visibility": "internal"},
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.text

    response = client.post(
        f"/admin/directives/{directive.id}/targets/new",
        data={
            "code": "MT1",
            "title": "100% of guiding decrees issued before 31 March 2026",
            "indicator": "Guiding decrees issued",
            "baseline_value": "0",
            "target_value": "100",
            "unit_of_measure": "%",
            "due_on": "2026-03-31",
        },
    )
    assert response.status_code == 302
    target = db.session.scalar(select(Target))
    page = client.get(f"/directives/{directive.id}").text
    assert "100% of guiding decrees" in page
    # A value the database cannot hold (NUMERIC(14, 2)) is refused on the form, on either
    # database (SQLite would have kept it).
    huge = client.post(
        f"/admin/targets/{target.id}/edit",
        data={"code": "MT1", "title": "Chỉ tiêu Đề án", "baseline_value": "1000000000000"},
    )
    assert huge.status_code == 422 and "too large" in huge.text
    assert db.session.scalar(select(Target.baseline_value)) == 0

    response = client.post(
        "/admin/tasks/new",
        data={
            "directive_id": directive.id,
            "code": "NV-01",
            "title": "Issue the decree",
            "kind": "task",
            "target_id": target.id,
            "lead_unit_id": unit.id,
            "start_date": today.isoformat(),
            "deadline": today.isoformat(),
            "is_key": "y",
        },
    )
    assert response.status_code == 302, response.text
    task = db.session.scalar(select(Task))
    assert (task.code, task.target_id, task.is_key) == ("NV-01", target.id, True)
    backwards = client.post(
        "/admin/tasks/new",
        data={
            "directive_id": directive.id,
            "code": "NV-02",
            "title": "Backwards",
            "kind": "task",
            "lead_unit_id": unit.id,
            "start_date": "2026-05-02",
            "deadline": "2026-05-01",
        },
    )
    assert backwards.status_code == 422
    assert "cannot be before the start date" in backwards.text
    assert count(Task) == 1


def test_a_directive_page_keeps_its_summarys_lines_and_says_why_it_lists_no_tasks(client, make):
    ministry = make.unit("BCT")
    institute = make.unit("Viện Đường sắt", ministry)
    admin = make.user("admin", ministry, language="vi")
    login(client, admin)
    response = client.post(
        "/admin/directives/new",
        data={
            "code": "15/CT-TTg",
            "kind": "directive",
            "title": "Về tăng cường chuyển đổi số",
            "summary": "Các Bộ, ngành đẩy mạnh ứng dụng công nghệ.\nHạn báo cáo: quý II.",
            "visibility": "internal",
        },
    )
    assert response.status_code == 302
    directive = db.session.scalar(select(Directive).where(Directive.code == "15/CT-TTg"))
    page = client.get(f"/directives/{directive.id}").text
    # The summary is shown with its line break kept (white-space: pre-wrap).
    assert '<p class="note">Các Bộ, ngành đẩy mạnh ứng dụng công nghệ.\nHạn báo cáo' in page
    # An admin sees every task: an empty list means the directive has none yet.
    assert "Văn bản này chưa có nhiệm vụ." in page
    assert "Bạn không được xem" not in page

    # A unit leader elsewhere is told the tasks are not theirs to see, not that none exist.
    make.task(ministry, directive, title="Ban hành kế hoạch chuyển đổi số")
    login(client, make.user("unit_leader", institute, language="vi"))
    page = client.get(f"/directives/{directive.id}").text
    assert "Bạn không được xem nhiệm vụ nào của văn bản này." in page
    assert "chưa có nhiệm vụ" not in page
    # Nor does the progress report of a supervisor there say the directive has none.
    login(client, make.user("supervisor", institute, language="vi"))
    page = client.get(f"/reports/directives/{directive.id}").text
    assert "Báo cáo này không có nhiệm vụ." in page
    assert "chưa có nhiệm vụ" not in page


def test_admin_task_edit_with_stale_version_is_refused(client, make):
    unit = make.unit("BCT")
    admin = make.user("admin", unit)
    task = make.task(unit, title="Original")
    login(client, admin)
    form = {
        "directive_id": task.directive_id,
        "code": task.code,
        "title": "Mine",
        "kind": "task",
        "lead_unit_id": unit.id,
        "deadline": task.deadline.isoformat(),
        "version": "1",
    }
    assert client.post(f"/admin/tasks/{task.id}/edit", data=form).status_code == 302
    stale = client.post(f"/admin/tasks/{task.id}/edit", data=dict(form, title="Stale"))
    assert stale.status_code == 422
    assert "changed by someone else" in stale.text
    db.session.rollback()  # see what other connections committed
    assert task.title == "Mine"


def test_500_page_reveals_nothing(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "s" * 40})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    with app.app_context():
        db.engine.dispose()


def test_the_task_form_offers_what_its_directive_and_lead_unit_allow(client, make):
    """A national tracker holds hundreds of thousands of tasks and people: the task form
    offers the directive's targets and its other tasks as parents, and the lead unit's
    people as owners — not every one of them. Another unit's person may still be given the
    task (the service decides who may)."""
    ministry = make.unit("BCT", name="Bộ Công Thương")
    department = make.unit("Vụ KHCN", ministry, name="Vụ Khoa học và Công nghệ")
    other = make.unit("Cục ĐTĐL", ministry, name="Cục Điều tiết điện lực")
    admin = make.user("admin", ministry)
    huong = make.user("officer", department, username="nguyen.thi.huong", name="Nguyễn Thị Hương")
    uong = make.user("officer", other, username="le.minh.uong", name="Lê Minh Ưng")
    ours, theirs = make.directive("2795/QĐ-BCT"), make.directive("57-NQ/TW")
    target = add_target(ours, {"code": "MT-Đ1", "title": "Chỉ tiêu điện"})
    add_target(theirs, {"code": "MT-X9", "title": "Chỉ tiêu khác"})
    db.session.commit()
    parent = make.task(department, ours, code="NV 01/QĐ", title="Đề án đường sắt")
    make.task(other, theirs, code="NV 99/TW", title="Nhiệm vụ của văn bản khác")
    task = make.task(department, ours, code="NV 02/QĐ", owner=huong)
    login(client, admin)

    form = client.get(f"/admin/tasks/{task.id}/edit").text
    assert "MT-Đ1 — Chỉ tiêu điện" in form and "MT-X9" not in form
    assert "NV 01/QĐ — Đề án đường sắt" in form and "NV 99/TW" not in form
    assert ">NV 02/QĐ —" not in form  # not under itself
    assert "Nguyễn Thị Hương (nguyen.thi.huong)" in form and "le.minh.uong" not in form

    new = client.get(f"/admin/tasks/new?directive={theirs.id}").text
    assert "MT-X9 — Chỉ tiêu khác" in new and "MT-Đ1" not in new
    for strange in ("99999999999", "-1", "١٢", "x"):  # no such directive: the first offered
        assert client.get(f"/admin/tasks/new?directive={strange}").status_code == 200

    edited = {
        "directive_id": ours.id,
        "code": "NV 02/QĐ",
        "title": "Báo cáo sơ kết",
        "kind": "task",
        "target_id": target.id,
        "parent_id": parent.id,
        "lead_unit_id": department.id,
        "owner_id": uong.id,  # another unit's person: not offered, still accepted
        "deadline": task.deadline.isoformat(),
        "version": str(task.version),
    }
    saved = client.post(f"/admin/tasks/{task.id}/edit", data=edited)
    assert saved.status_code == 302, saved.text
    db.session.expire_all()
    assert (task.target_id, task.parent_id, task.owner_id) == (target.id, parent.id, uong.id)

    their_target = db.session.scalar(select(Target.id).where(Target.code == "MT-X9"))
    elsewhere = client.post(  # a target of another directive is no choice here
        f"/admin/tasks/{task.id}/edit",
        data=dict(edited, target_id=their_target, version=str(task.version)),
    )
    assert elsewhere.status_code == 422
    db.session.expire_all()
    assert task.target_id == target.id


def test_a_code_may_hold_single_spaces_as_the_ministries_write_it(client, make):
    ministry = make.unit("BCT")
    login(client, make.user("admin", ministry))

    def unit_named(code: str) -> int:
        return client.post(
            "/admin/units/new", data={"code": code, "name": "Vụ Khoa học", "parent_id": ministry.id}
        ).status_code

    assert unit_named("Vụ KHCN") == 302
    for refused in ("Vụ  KHCN", "Vụ KHCN ", "Vụ\nKHCN", "Vụ KHCN\n"):
        assert unit_named(refused) == 422, repr(refused)
    assert db.session.scalars(select(Unit.code).order_by(Unit.id)).all() == ["BCT", "Vụ KHCN"]


def test_the_recurring_form_offers_the_lead_units_people_and_takes_another(client, make):
    ministry = make.unit("BCT", name="Bộ Công Thương")
    other = make.unit("Cục ĐTĐL", ministry, name="Cục Điều tiết điện lực")
    admin = make.user("admin", ministry, name="Quản Trị Viên")
    uong = make.user("officer", other, username="le.minh.uong", name="Lê Minh Ưng")
    directive = make.directive("2795/QĐ-BCT")
    login(client, admin)
    page = client.get("/admin/recurring").text  # the first unit shown: the ministry
    assert "Quản Trị Viên (" in page and "le.minh.uong" not in page
    saved = client.post(
        "/admin/recurring",
        data={
            "directive_id": directive.id,
            "code_prefix": "BC Đ-57",
            "title": "Báo cáo quý",
            "lead_unit_id": ministry.id,
            "owner_id": uong.id,
            "frequency": "quarterly",
            "days_after_period_end": "5",
            "starts_on": "2026-10-01",
        },
    )
    assert saved.status_code == 302, saved.text
    assert db.session.scalar(select(RecurringTask.owner_id)) == uong.id
    # said as the admin reads it, not as the command an operator would run
    listed = client.get(saved.location).text
    assert "created by the daily scheduled run" in listed
    assert "period end +5 days" in listed  # the deadline, in one sentence to translate
    listed_vi = client.get(saved.location, headers={"Accept-Language": "vi"}).text
    assert "cuối kỳ +5 ngày" in listed_vi


def test_a_units_people_are_offered_in_vietnamese_alphabetical_order(client, make):
    """The owner chooser lists the lead unit's people as a Vietnamese reader orders names —
    Ánh and Âu before Bùi, Đặng after Dương, Ưng before Vũ — on either database (SQLite put
    every name starting Á, Â, Đ or Ư after Vũ)."""
    ministry = make.unit("BCT", name="Bộ Công Thương")
    admin = make.user("admin", ministry)
    for username, name in (
        ("vu.thi.ha", "Vũ Thị Hà"),
        ("dang.van.nam", "Đặng Văn Nam"),
        ("ung.hoang", "Ưng Hoàng"),
        ("bui.huy", "Bùi Quang Huy"),
        ("au.lan", "Âu Thị Lan"),
        ("duong.minh", "Dương Minh"),
        ("anh.duong", "Ánh Dương"),
    ):
        make.user("officer", ministry, username=username, name=name)
    task = make.task(ministry, make.directive("2795/QĐ-BCT"), code="NV 01")
    login(client, admin)
    form = client.get(f"/admin/tasks/{task.id}/edit").text
    chooser = form[form.index('name="owner_id"') :]
    offered = re.findall(r"<option[^>]*>([^<(]+) \(", chooser[: chooser.index("</select>")])
    assert [name.strip() for name in offered if name.strip() != admin.name] == [
        "Ánh Dương",
        "Âu Thị Lan",
        "Bùi Quang Huy",
        "Dương Minh",
        "Đặng Văn Nam",
        "Ưng Hoàng",
        "Vũ Thị Hà",
    ]


def test_an_owner_chooser_asks_for_the_people_of_the_lead_unit_chosen(client, make):
    """The task and recurring forms' owner choosers name where the page's script asks for
    another lead unit's people; the answer lists that unit's active people as the chooser
    does, and only to admins."""
    ministry = make.unit("BCT", name="Bộ Công Thương")
    institute = make.unit("Viện Cơ khí", ministry, name="Viện Nghiên cứu Cơ khí")
    admin = make.user("admin", ministry)
    ha = make.user("officer", institute, username="vu.thi.ha", name="Vũ Thị Hà")
    nam = make.user("officer", institute, username="dang.van.nam", name="Đặng Văn Nam")
    make.user("officer", institute, username="nghi.huu", name="Đỗ Hữu Nghị", active=False)
    login(client, admin)
    for path in ("/admin/tasks/new", "/admin/recurring"):
        form = client.get(path).text
        chooser = form[form.index("<select", form.index('for="owner_id"')) :]
        assert 'data-follows="lead_unit_id"' in chooser[: chooser.index(">")]
        assert 'data-url="/admin/units/people?lead_unit_id="' in chooser[: chooser.index(">")]
    answer = client.get(f"/admin/units/people?lead_unit_id={institute.id}")
    assert answer.json == {
        "items": [
            {"id": nam.id, "label": "Đặng Văn Nam (dang.van.nam)"},
            {"id": ha.id, "label": "Vũ Thị Hà (vu.thi.ha)"},
        ]
    }
    for strange in ("", "abc", "-1", "99999999999", "1%00", "１"):
        answer = client.get("/admin/units/people", query_string={"lead_unit_id": strange})
        assert answer.status_code == 200 and answer.json == {"items": []}, strange
    login(client, make.user("unit_leader", institute))
    assert client.get(f"/admin/units/people?lead_unit_id={institute.id}").status_code == 403


def test_a_tasks_target_and_parent_choosers_ask_for_the_directive_chosen(client, make):
    """The task form's target and parent choosers name where the page's script asks for
    another directive's targets and tasks (the task being edited left out of its own
    parents); the answers list them as the choosers do."""
    ministry = make.unit("BCT", name="Bộ Công Thương")
    login(client, make.user("admin", ministry))
    plan = make.directive("01-KH/BCĐTW", title="Kế hoạch triển khai")
    target = add_target(plan, {"code": "MT 2", "title": "Dữ liệu số quốc gia"})
    parent = make.task(ministry, plan, code="NV 01/Đ", title="Đề án Đường sắt")
    child = make.task(ministry, plan, code="NV 01.1", title="Khảo sát tuyến")
    form = client.get(f"/admin/tasks/{child.id}/edit").text
    for name, url in (
        ("target_id", "/admin/directives/targets?directive_id="),
        ("parent_id", f"/admin/directives/tasks?leaving_out={child.id}&amp;directive_id="),
    ):
        tag = form[form.index('<select data-follows="directive_id"', form.index(f'for="{name}"')) :]
        assert f'data-url="{url}"' in tag[: tag.index(">")], name
    assert client.get(f"/admin/directives/targets?directive_id={plan.id}").json == {
        "items": [{"id": target.id, "label": "MT 2 — Dữ liệu số quốc gia"}]
    }
    assert client.get(
        f"/admin/directives/tasks?leaving_out={child.id}&directive_id={plan.id}"
    ).json == {"items": [{"id": parent.id, "label": "NV 01/Đ — Đề án Đường sắt"}]}
    for path in ("/admin/directives/targets", "/admin/directives/tasks"):
        for strange in ("", "x", "-1", "99999999999"):
            answer = client.get(path, query_string={"directive_id": strange})
            assert answer.status_code == 200 and answer.json == {"items": []}, strange
