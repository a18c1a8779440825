"""The Vietnamese words of the domain are the ones officials use (the project's glossary of
terms, held here): every kind of directive, the four timeliness classes, the statuses, the
roles and the main nouns, in the Vietnamese catalogue and on a Vietnamese page."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from tracker.infra.i18n import TRANSLATIONS_DIR

from ..conftest import login

# (catalogue context, English) -> the glossary's Vietnamese.
GLOSSARY = {
    ("kind", "Directive"): "Chỉ thị",
    (None, "Resolution"): "Nghị quyết",
    (None, "Decision"): "Quyết định",
    (None, "Conclusion"): "Kết luận",
    (None, "Plan"): "Kế hoạch",
    (None, "Regulation"): "Quy chế",
    (None, "Completed on time"): "Hoàn thành đúng hạn",
    (None, "Completed late"): "Hoàn thành quá hạn",
    (None, "Not completed, within deadline"): "Chưa hoàn thành, còn trong hạn",
    (None, "Not completed, overdue"): "Quá hạn chưa hoàn thành",
    (None, "Due soon"): "Sắp đến hạn",
    (None, "Not started"): "Chưa thực hiện",
    (None, "In progress"): "Đang thực hiện",
    (None, "Submitted, awaiting verification"): "Đã báo cáo hoàn thành, chờ xác nhận",
    (None, "Completed"): "Đã hoàn thành",
    (None, "Cancelled"): "Đã hủy",
    (None, "Task"): "Nhiệm vụ",
    (None, "Key task"): "Nhiệm vụ trọng tâm",
    (None, "Target"): "Mục tiêu",
    (None, "Milestone"): "Mốc",
    (None, "Lead unit"): "Đơn vị chủ trì",
    (None, "Coordinating units"): "Đơn vị phối hợp",
    (None, "Unit leader"): "Lãnh đạo đơn vị",
    (None, "Deadline"): "Thời hạn",
    (None, "Evidence"): "Minh chứng",
}


@pytest.fixture(scope="module")
def vietnamese():
    with (TRANSLATIONS_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale="vi")


@pytest.mark.parametrize(("key", "term"), GLOSSARY.items(), ids=lambda v: str(v))
def test_the_catalogue_uses_the_glossarys_term(vietnamese, key, term):
    context, english = key
    message = vietnamese.get(english, context=context)
    assert message is not None, f"{english!r} is not in the catalogue"
    assert message.string == term


def test_lists_write_the_four_classes_out_in_full(client, make, org, today):
    from datetime import timedelta

    leader = make.user("unit_leader", org["department"], language="vi")
    directive = make.directive("50-CT/TW", kind="directive", title="Chỉ thị về chuyển đổi số")
    make.task(org["department"], directive, deadline=today - timedelta(days=3))
    make.task(
        org["department"],
        directive,
        status="completed",
        deadline=today - timedelta(days=9),
        completed_on=today - timedelta(days=2),
    )
    make.task(
        org["department"],
        directive,
        status="completed",
        deadline=today - timedelta(days=9),
        completed_on=today - timedelta(days=10),
    )
    make.task(org["department"], directive, deadline=today + timedelta(days=40))
    login(client, leader)
    page = client.get("/tasks").text
    for full in (
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành, còn trong hạn",
        "Quá hạn chưa hoàn thành, 3 ngày",
    ):
        assert full in page, full
    directive_page = client.get(f"/directives/{directive.id}").text
    assert "Chỉ thị" in directive_page
