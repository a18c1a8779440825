"""Public progress pages: no login, public directives only, and confidential or secret
tasks in no list and no count."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.models import Evidence, StatusUpdate
from tracker.org import directives


@pytest.fixture
def public_directive(make, org, today):
    directive = make.directive("57-NQ/TW", visibility="public", title="Breakthroughs")
    target = directives.add_target(directive, {"code": "MT1", "title": "Decrees issued"})
    db.session.commit()
    day = timedelta(days=1)
    done = make.task(
        org["institute"],
        directive,
        code="OPEN-1",
        title="Decree on data",
        deadline=today - 5 * day,
        status=lifecycle.COMPLETED,
        completed_on=today - 6 * day,
        target=target,
    )
    update = db.session.scalars(
        select(StatusUpdate).where(
            StatusUpdate.task_id == done.id, StatusUpdate.new_status == lifecycle.COMPLETED
        )
    ).one()
    db.session.add(
        Evidence(
            task_id=done.id,
            kind="link",
            url="https://vanban.gov.vn/1",
            original_name="",
            status_update=update,
        )
    )
    make.task(org["institute"], directive, code="OPEN-2", title="Late work", deadline=today - day)
    make.task(
        org["institute"],
        directive,
        code="HUSH-1",
        title="Confidential plan",
        deadline=today - day,
        confidentiality="confidential",
    )
    make.task(
        org["other"],
        directive,
        code="HUSH-2",
        title="Secret matter",
        deadline=today - 9 * day,
        status=lifecycle.COMPLETED,
        completed_on=today - 10 * day,
        confidentiality="secret",
    )
    db.session.commit()
    return directive


def test_public_page_without_login_shows_only_public_tasks(client, public_directive):
    index = client.get("/public/")
    assert index.status_code == 200 and "57-NQ/TW" in index.text
    page = client.get(f"/public/directives/{public_directive.id}")
    assert page.status_code == 200
    text = page.text
    assert "Decree on data" in text and "https://vanban.gov.vn/1" in text
    for hidden in ("HUSH", "Confidential plan", "Secret matter", "Unit OTH"):
        assert hidden not in text
    # the counts: one on time, one overdue; the hidden overdue and the hidden completion
    # are in no count
    cards = text[text.index('<ul class="cards">') : text.index("</ul>")]
    assert '<span class="n">1</span> ✓ Completed on time' in cards
    assert '<span class="n">1</span> ▲ Not completed, overdue' in cards
    assert '<span class="n">0</span> ✓ Completed late' in cards
    assert "Completion rate 50.0%" in text


def test_internal_directives_are_not_public(client, make):
    internal = make.directive("01-KH", visibility="internal")
    assert client.get(f"/public/directives/{internal.id}").status_code == 404
    assert "01-KH" not in client.get("/public/").text
