"""PDF tables fit A4 landscape: every column of the task list is on the page (wrapped text,
smaller type), its last column's values are read back inside the page, codes whole (see
test_report_files), a table's total on the page of its rows, and dates are dd/mm/yyyy and
rates in the reader's language."""

from __future__ import annotations

import html
import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.infra.i18n import translated
from tracker.models import Job
from tracker.reporting.report_builders import TASK_COLUMNS

from ..browser import ARTIFACTS
from ..conftest import login

A4_LANDSCAPE_WIDTH = 841.89  # points


def words_with_boxes(data: bytes) -> tuple[float, list[tuple[str, float, float]]]:
    """The page width and every word with its left and right edge (pdftotext -bbox)."""
    done = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")
    width = float(re.search(r'<page width="([\d.]+)"', text).group(1))
    words = [
        (html.unescape(word), float(x_min), float(x_max))
        for x_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            text,
        )
    ]
    return width, words


@pytest.fixture
def long_tasks(make, org):
    directive = make.directive("Kế hoạch 01-KH/BCĐTW", kind="plan", title="Kế hoạch triển khai")
    owner = make.user("officer", org["department"], name="Nguyễn Thị Phương Thảo")
    for number in range(1, 4):
        make.task(
            org["department"],
            directive,
            code=f"NV-{number:02d}",
            title="Xây dựng và trình Chính phủ ban hành Nghị định quy định chi tiết về cơ chế "
            "thử nghiệm có kiểm soát đối với công nghệ số",
            owner=owner,
            deadline=date(2026, 3, 31),
            coordinating_units=[org["institute"], org["other"]],
        )
    return directive


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_task_column_is_on_the_page(client, make, org, long_tasks, language):
    login(client, make.user("auditor", org["ministry"], language=language))
    response = client.get(
        "/reports/tasks.pdf?directive=Kế hoạch 01-KH/BCĐTW&as_of=2026-06-30", follow_redirects=True
    )
    assert response.status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)  # for a person to look at
    (ARTIFACTS / f"tasks-{language}.pdf").write_bytes(response.data)
    width, words = words_with_boxes(response.data)
    assert width == pytest.approx(A4_LANDSCAPE_WIDTH, abs=1)
    assert all(right <= width for _, _, right in words), "a word runs off the page"
    present = {word for word, _, _ in words}
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=response.data, capture_output=True)
    # In the order it was drawn, each cell's lines follow each other: without white space, a
    # heading wrapped inside its cell reads whole again.
    joined = re.sub(r"\s+", "", raw.stdout.decode("utf-8"))
    with client.application.test_request_context(headers={"Accept-Language": language}):
        from flask_babel import force_locale

        with force_locale(language):
            headings = [translated(column.heading) for column in TASK_COLUMNS]
    for heading in headings:
        assert re.sub(r"\s+", "", heading) in joined, heading
    # The last column (the task's version) holds "1" on each of the three rows, at the right.
    last_left = max(left for word, left, _ in words if word.startswith(headings[-1][:4]))
    assert sum(1 for word, left, _ in words if word == "1" and left >= last_left - 5) >= 3
    assert "31/03/2026" in present and "2026-03-31" not in present
    pages = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True
    ).stdout.decode("utf-8")
    # The counts' total stays on the page of the rows it totals (it stood alone on a page)
    total = "Tổng" if language == "vi" else "Total"
    overdue = "Quá hạn chưa hoàn thành" if language == "vi" else "Not completed, overdue"
    with_total = [page for page in pages.split("\f") if re.search(rf"^\s*{total}\b", page, re.M)]
    assert len(with_total) == 1 and overdue in with_total[0]
    # and the pages' foot names the day once (the title says it: "… as of 30/06/2026")
    feet = [line for line in pages.splitlines() if re.search(r"\d+ (of|/) \d+\s*$", line)]
    assert feet and all(foot.count("30/06/2026") == 1 for foot in feet), feet


def test_without_the_fonts_a_pdf_answers_503_and_the_other_files_still_work(
    client, make, org, long_tasks, tmp_path, monkeypatch
):
    login(client, make.user("auditor", org["ministry"], language="vi"))
    monkeypatch.setitem(client.application.config, "PDF_FONT_DIR", str(tmp_path))
    url = "/reports/tasks.{fmt}?directive=Kế hoạch 01-KH/BCĐTW"
    # The PDF is made by a job (run at once here): it fails for good, saying what to install.
    refused = client.get(url.format(fmt="pdf"), follow_redirects=True)
    assert "fonts-dejavu-core" in refused.get_data(as_text=True)
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert job.status == "failed" and job.attempts == 1
    with client.get(url.format(fmt="csv"), follow_redirects=True) as csv:
        assert csv.status_code == 200 and "NV-01" in csv.get_data(as_text=True)
