"""The task CSV as the database writes it (COPY on PostgreSQL) is, byte for byte, the file the
csv module writes from the typed rows: on today, on a past day, judged on the original
deadline, for a unit leader's share; with the cells a hostile or Vietnamese title makes."""

import csv
import io
from datetime import timedelta

import pytest

from tracker.domain import lifecycle
from tracker.extensions import db
from tracker.reporting import copied_csv
from tracker.reporting.exports import CSV_HEADER, csv_stream, task_rows
from tracker.reporting.task_queries import TaskFilters
from tracker.work import urging

from ..histories import generated_country

HOSTILE_TITLE = '=HYPERLINK("http://x.example"), "trích dẫn"; dòng hai'


@pytest.fixture
def country(make, today):
    """Generated tasks and history, and tasks whose cells need quoting and guarding."""
    country = generated_country(make, seed=23, tasks=300)
    offices = [unit for unit in country.units.values() if unit.path.count("/") >= 4]
    hostile = make.task(
        offices[0],
        country.directive,
        code="NV Đ-ư 01",
        title=HOSTILE_TITLE,
        deadline=today - timedelta(days=3),
        coordinating_units=[offices[2], offices[1]],
        owner=make.user("officer", offices[0], username="-Nguyễn Văn Ơn"),
    )
    urging.issue_notice(country.supervisor, hostile, "Đề nghị khẩn trương hoàn thành.")
    urging.issue_notice(country.supervisor, hostile, "Nhắc lần hai.")
    make.task(offices[1], country.directive, code="+NV 02", status=lifecycle.CANCELLED)
    db.session.commit()
    country.hostile = hostile
    return country


def written_by_the_csv_module(reader, filters) -> bytes:
    return "".join(csv_stream(task_rows(reader, filters))).encode("utf-8")


def test_the_database_writes_the_same_file_as_the_csv_module(country, make, today):
    leader = make.user("unit_leader", country.hostile.lead_unit)
    past = (today - timedelta(days=45)).isoformat()
    for reader, args in [
        (country.auditor, {}),
        (country.auditor, {"as_of": past}),
        (country.auditor, {"basis": "original", "directive": country.directive.code}),
        (country.supervisor, {"timeliness": "overdue"}),
        (leader, {}),
    ]:
        filters = TaskFilters.from_args(args, today)
        copied = b"".join(copied_csv.task_csv(reader, filters))
        assert copied == written_by_the_csv_module(reader, filters), (reader.username, args)


def test_hostile_and_vietnamese_cells_read_back_as_written(country, today):
    filters = TaskFilters.from_args({}, today)
    raw = b"".join(copied_csv.task_csv(country.auditor, filters))
    assert raw.startswith("\ufeff".encode()) and raw.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert tuple(header) == CSV_HEADER
    assert len(body) == 302
    row = dict(zip(header, next(r for r in body if r[1] == "NV Đ-ư 01"), strict=True))
    assert row["title"] == "'" + HOSTILE_TITLE
    assert row["owner"] == "'-Nguyễn Văn Ơn"
    offices = sorted(unit.code for unit in country.hostile.coordinating_units)
    assert row["coordinating_units"] == "; ".join(offices)
    assert row["urging_notices"] == f"{today.year}/0001; {today.year}/0002"
    assert (row["timeliness"], row["days_overdue"]) == ("Not completed, overdue", "3")
    assert row["deadline"] == (today - timedelta(days=3)).isoformat()
    cancelled = dict(zip(header, next(r for r in body if r[1] == "'+NV 02"), strict=True))
    assert (cancelled["timeliness"], cancelled["days_overdue"]) == ("Cancelled", "0")
    assert cancelled["owner"] == "" and cancelled["completed_on"] == ""
