"""A directive's timeline (Gantt): targets, tasks and milestones on a time axis with today's
line; each task's class is written in words and shapes, not only colours."""

from datetime import timedelta

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Target

from ..conftest import login

DAY = timedelta(days=1)


def test_timeline_of_a_directive(client, make, org, today):
    directive = make.directive("57-NQ/TW")
    target = Target(directive=directive, code="MT1", title="Guiding decrees issued")
    db.session.add(target)
    db.session.commit()
    dep = org["department"]
    make.task(
        dep,
        directive,
        code="T-late",
        title="Draft the decree",
        deadline=today - 12 * DAY,
        start_date=today - 90 * DAY,
        target=target,
    )
    make.task(
        dep,
        directive,
        code="T-ext",
        title="Pilot the platform",
        deadline=today + 40 * DAY,
        original_deadline=today + 10 * DAY,
        start_date=today - 30 * DAY,
    )
    make.task(
        dep,
        directive,
        code="T-done",
        title="Report",
        deadline=today - 5 * DAY,
        status=lifecycle.COMPLETED,
        completed_on=today - 8 * DAY,
        target=target,
    )
    make.task(
        dep,
        directive,
        code="M-1",
        title="Decree signed",
        kind="milestone",
        deadline=today + 20 * DAY,
    )
    make.task(org["other"], directive, code="T-other", title="Elsewhere", deadline=today)
    login(client, make.user("unit_leader", dep))
    page = client.get(f"/directives/{directive.id}/timeline")
    assert page.status_code == 200
    svg = page.text
    assert 'role="group" aria-label="Timeline of 57-NQ/TW: 4 tasks' in svg
    assert "MT1 Guiding decrees issued" in svg and "Tasks without a target" in svg
    assert "▲ Not completed, overdue by 12 d · DEP" in svg
    assert "✓ Completed on time · DEP" in svg
    assert "○ Not completed, within deadline · DEP" in svg
    assert "<polygon" in svg  # the milestone
    assert 'stroke-dasharray="3 2"' in svg  # the extension beyond the original deadline
    assert ">today</text>" in svg
    assert "T-other" not in svg  # another unit's task is not the leader's to see
    assert svg.index("T-late") < svg.index("T-done") < svg.index("Tasks without a target")


def test_a_timeline_of_several_pages_links_page_to_page(client, make, org, today, monkeypatch):
    """The pager keeps the reader on the same directive's timeline from page to page."""
    from tracker.web.directives import routes

    monkeypatch.setattr(routes, "TIMELINE_ROWS", 2)
    directive = make.directive("Đề án 06/QĐ-TTg")
    for number in range(5):
        make.task(
            org["department"],
            directive,
            code=f"Nhiệm vụ {number + 1}",
            title=f"Xây dựng cơ sở dữ liệu dân cư, đợt {number + 1}",
            deadline=today + (number + 1) * DAY,
        )
    login(client, make.user("admin", org["ministry"]))
    first = client.get(f"/directives/{directive.id}/timeline")
    assert first.status_code == 200
    assert "Page 1 of 3" in first.text
    assert f'href="/directives/{directive.id}/timeline?page=2" rel="next"' in first.text
    second = client.get(f"/directives/{directive.id}/timeline?page=2")
    assert second.status_code == 200
    assert "Page 2 of 3" in second.text and "Nhiệm vụ 3" in second.text
    assert "Nhiệm vụ 1" not in second.text
    assert f'href="/directives/{directive.id}/timeline?page=1" rel="prev"' in second.text
