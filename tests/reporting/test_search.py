"""Quick search and the task list's search: codes and title words, with or without
Vietnamese diacritics, among what the reader may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.domain.search_text import fold
from tracker.extensions import db
from tracker.models import Directive, Task

from .test_query_counts import counted_statements


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nghị quyết 57-NQ/TW", "nghi quyet 57-nq/tw"),
        ("ĐỀ ÁN  Chuyển đổi số", "de an chuyen doi so"),
        ("Đường bộ cao tốc", "duong bo cao toc"),
        ("  Plain   English ", "plain english"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_drops_case_marks_and_extra_spaces(text, folded):
    assert fold(text) == folded


@pytest.fixture
def world(make, org):
    leader = make.user("unit_leader", org["department"])
    resolution = make.directive("57-NQ/TW", title="Nghị quyết về đột phá phát triển khoa học")
    make.directive("12-CT/TTg", title="Chỉ thị về chuyển đổi số")
    mine = make.task(org["department"], resolution, code="NV-01", title="Xây dựng Nghị định")
    make.task(org["other"], resolution, code="NV-02", title="Xây dựng cơ sở dữ liệu quốc gia")
    return {"leader": leader, "mine": mine}


def test_search_finds_vietnamese_without_diacritics_and_codes(login_as, world):
    client = login_as(world["leader"])
    page = client.get("/search?q=nghi quyet").text
    assert "57-NQ/TW" in page and "12-CT/TTg" not in page

    page = client.get("/search?q=xay dung").text
    assert "NV-01" in page
    assert "NV-02" not in page  # another ministry's task: not the leader's to see
    assert "Tasks (1)" in page

    page = client.get("/search?q=Chuyển Đổi").text
    assert "12-CT/TTg" in page

    page = client.get("/search?q=nv-01").text
    assert "NV-01" in page


def test_a_search_with_no_match_or_no_words_says_what_to_do(login_as, world):
    client = login_as(world["leader"])
    page = client.get("/search?q=zzz").text
    assert "Nothing matches “zzz”" in page
    page = client.get("/search").text
    assert "Type a code" in page
    # Wildcards are letters like any other, not patterns.
    assert "Nothing matches" in client.get("/search?q=%25").text


def test_the_task_list_search_folds_too(login_as, world):
    client = login_as(world["leader"])
    page = client.get("/tasks?q=NGHI DINH").text
    assert "NV-01" in page


def test_search_keys_follow_edits(world):
    task = world["mine"]
    task.title = "Ban hành Thông tư hướng dẫn"
    db.session.commit()
    assert db.session.scalar(select(Task.search_key).where(Task.id == task.id)) == (
        "nv-01 ban hanh thong tu huong dan"
    )
    directive = db.session.scalar(select(Directive).where(Directive.code == "12-CT/TTg"))
    assert directive.search_key == "12-ct/ttg chi thi ve chuyen doi so"


def test_every_word_counts_in_any_order(login_as, world):
    client = login_as(world["leader"])
    assert "57-NQ/TW" in client.get("/search?q=khoa hoc nghi quyet").text
    assert "Nothing matches" in client.get("/search?q=nghi quyet zzz").text


def test_postgresql_finds_the_words_through_the_trigram_index(login_as, make, world):
    """Migration 0040: each statement of the quick search that reads tasks or directives by
    their search key can be served by the trigram index (at 3 million tasks a task code
    took 1.2 s of reading every task). With the plans that read every row off, as they are
    too slow at that size, each statement's plan goes through the index. SQLite has none."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's trigram index (SQLite reads every row)")
    admin = make.user("admin", world["mine"].lead_unit)
    with counted_statements(with_parameters=True) as sent:
        page = login_as(admin).get("/search?q=Nghị định NV").text
    assert "NV-01" in page
    searching = [(sql, params) for sql, params in sent if "search_key LIKE" in sql]
    assert any("FROM task" in sql for sql, _ in searching)
    assert any("FROM directive" in sql for sql, _ in searching)
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    # The plans left when reading every row is off: a bitmap of an index's matches (what a
    # GIN index serves). Walking the code index in order (a tiny table's cheapest plan for
    # the first 21 directives by code) is off too: it reads every row as well.
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("SET LOCAL enable_indexscan = off")
    for sql, params in searching:
        plan = " ".join(row[0] for row in cursor.execute("EXPLAIN " + sql, params))
        assert "_search_key_trgm" in plan, (sql, plan)
