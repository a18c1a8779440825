"""Imports read with limits: rows are read one by one and reading stops at the row limit,
the cell size limit, a NUL character, a cell that cannot be converted (an XLSX date
0000-00-00, a `nan` number), a number that is not finite or the time limit, each with a
clear 422 that names the row and writes nothing (the forms and the API); an XLSX is judged
by its archive's declared sizes before it is opened; and the peak memory of a process
reading the worst files that fit in an upload stays under 250 MB (measured in a child
process)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tracker.extensions import db
from tracker.models import Directive, Task
from tracker.org import imports

from ..api.test_api import token_for
from ..conftest import login

HEADER = "directive,task_code,title,lead_unit,deadline\n"
ROW = "Quyết định 2795/QĐ-BCT,NV Đợt {n},Xây dựng đề án ưu tiên,DEP,2026-12-31\n"
PEAK_LIMIT_MB = 250


def inline_cell(column: str, row: int, text: str) -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_of(sheet_rows: list[str] | None = None, *, rows_xml=None, level: int = 6) -> bytes:
    """A minimal XLSX whose first sheet holds these <row> elements (or the chunks that
    `rows_xml` yields, written as they come)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name='
            '"Tasks" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
            ' Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    header = "".join(
        inline_cell(column, 1, name)
        for column, name in zip(
            "ABCDE", ("directive", "task_code", "title", "lead_unit", "deadline"), strict=True
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(f'<row r="1">{header}</row>'.encode())
            for chunk in rows_xml() if rows_xml else sheet_rows:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def task_row(row: int, *cells: str) -> str:
    defaults = ("Chỉ thị 05/CT-TTg", f"NV {row}", "Đề án", "DEP", "31/12/2026")
    values = dict(zip("ABCDE", defaults, strict=True))
    for cell in cells:
        values[cell[0]] = cell[1:]
    return (
        f'<row r="{row}">' + "".join(inline_cell(c, row, v) for c, v in values.items()) + "</row>"
    )


def distinct_rows(count: int):
    def rows():
        for row in range(2, count + 2):
            yield task_row(row)

    return rows


def many_rows(count: int):
    """`count` alike rows (a row's number is optional in XLSX), written in blocks of a
    thousand: how a file of a million rows fits in a megabyte."""
    block = "".join(task_row(2).replace(' r="2"', "").replace('r="', 'x="') for _ in range(1000))

    def rows():
        for _ in range(count // 1000):
            yield block
        for row in range(count % 1000):
            yield task_row(row + 2).replace(' r="', ' x="')

    return rows


def multipart(name: str, content: bytes, **fields: str) -> dict:
    """A multipart body made here: the test client spools large ones to a temporary file
    it never closes."""
    boundary, body = encode_multipart(
        MultiDict({"file": FileStorage(io.BytesIO(content), name), **fields})
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "ke-hoach.csv",
            (HEADER + ROW.format(n=1).replace("Xây dựng", "Đ" * 200_000)).encode(),
            "Row 2 of the file cannot be read (a cell is too long",
        ),
        (
            "ke-hoach.csv",
            (HEADER + ROW.format(n=1).replace("Xây dựng", "ư" * 20_000)).encode(),
            "Row 2, column title: a cell of more than 10,000 characters",
        ),
        (
            "ke-hoach.csv",
            (HEADER + ROW.format(n=1) + ROW.format(n=2).replace("đề án", "đề\x00án")).encode(),
            "Row 3, column title: a NUL character",
        ),
        (
            "ke-hoach.csv",
            (HEADER + "".join(ROW.format(n=n) for n in range(20_001))).encode(),
            "more than 20,000 rows",
        ),
        (
            "ke-hoach.xlsx",
            xlsx_of(
                [
                    task_row(2),
                    task_row(3).replace(
                        't="inlineStr"><is><t>31/12/2026</t></is>', 't="d"><v>0000-00-00</v>'
                    ),
                ]
            ),
            "Row 3 of the file cannot be read",
        ),
        (
            "ke-hoach.xlsx",
            xlsx_of(
                [task_row(2).replace('t="inlineStr"><is><t>Đề án</t></is>', 't="n"><v>nan</v>')]
            ),
            "Row 2 of the file cannot be read",
        ),
        (
            "ke-hoach.xlsx",
            xlsx_of(
                [task_row(2).replace('t="inlineStr"><is><t>Đề án</t></is>', 't="n"><v>1E999</v>')]
            ),
            "Row 2, column title: a number that is not finite",
        ),
        ("ke-hoach.xlsx", xlsx_of(rows_xml=distinct_rows(20_001)), "more than 20,000 rows"),
        ("ke-hoach.xlsx", xlsx_of(rows_xml=many_rows(1_000_000), level=9), "unpacks to far more"),
    ],
    ids=[
        "csv-128k-field",
        "csv-long-cell",
        "csv-nul",
        "csv-rows",
        "xlsx-0000-00-00",
        "xlsx-nan",
        "xlsx-infinity",
        "xlsx-rows",
        "xlsx-million-rows",
    ],
)
def test_a_file_over_a_limit_is_refused_with_its_row_and_nothing_written(
    client, make, org, name, content, message, monkeypatch
):
    admin = make.user("admin", org["ministry"])
    login(client, admin)
    # The import page's job may take IMPORT_MAX_ROWS rows; here the API's 20,000, so that
    # one file tests both.
    monkeypatch.setitem(client.application.config, "IMPORT_MAX_ROWS", imports.MAX_ROWS)
    for apply in ("no", "yes"):
        asked = client.post("/admin/import", **multipart(name, content, apply=apply))
        assert asked.status_code == 303  # to the import's page
        page = client.get(asked.headers["Location"])
        assert "The file could not be imported; nothing was written." in page.text
        assert message in page.text.replace("&#39;", "'")
    api = client.post(
        "/api/v1/imports?dry_run=false",
        headers=token_for(client, admin),
        **multipart(name, content),
    )
    assert api.status_code == 422
    assert message in api.json["detail"]
    assert db.session.scalar(select(func.count(Task.id))) == 0
    assert db.session.scalar(select(func.count(Directive.id))) == 0


def test_an_import_past_its_time_limit_writes_nothing(admin_and_rows, monkeypatch):
    admin, rows = admin_and_rows
    ticks = iter(range(0, 10_000, 10))  # every look at the clock: ten seconds later
    monkeypatch.setattr(imports.time, "monotonic", lambda: next(ticks))
    with pytest.raises(imports.ImportRefused, match="took more than 25 seconds"):
        imports.run_import(admin, rows, dry_run=False)
    assert db.session.scalar(select(func.count(Task.id))) == 0


@pytest.fixture
def admin_and_rows(make, org):
    make.unit("ĐTĐL", org["ministry"], name="Cục Điện lực")
    rows = imports.read_rows(
        "k.csv",
        (HEADER + "".join(ROW.format(n=n) for n in range(5))).replace("DEP", "ĐTĐL").encode(),
    )
    return make.user("admin", org["ministry"]), rows


PEAK_SCRIPT = """
import json, sys
from tracker import create_app
from tracker.org import imports
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
with app.app_context():
    name = sys.argv[1]
    content = open(name, "rb").read()
    try:
        imports.read_rows(name, content)
        outcome = "read"
    except imports.ImportRefused as error:
        outcome = error.message
# VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec)
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "peak_mb": peak_kb / 1024}))
"""


def worst_files() -> dict[str, bytes]:
    """The worst files that fit in an upload: a million rows, one cell of all a sheet may
    hold, shared strings at their limit, a CSV of 20 MB in one field or in many rows."""
    giant = "Đề án " * (imports.XLSX_MAX_MEMBER_BYTES // 10)
    pattern = "".join(f"Nhiệm vụ số {n} của Bộ Công Thương; " for n in range(400_000))
    return {
        "million.xlsx": xlsx_of(rows_xml=many_rows(1_000_000), level=9),
        "giant-cell.xlsx": xlsx_of([task_row(2, "C" + giant)], level=9),
        "big-sheet.xlsx": xlsx_of(
            [task_row(2, "C" + pattern[: imports.XLSX_MAX_MEMBER_BYTES // 2])]
        ),
        "one-field.csv": (HEADER + '"' + "ư" * 9_000_000 + '"\n').encode(),
        "many-rows.csv": (HEADER + ROW.format(n=0) * 150_000).encode(),
    }


@pytest.mark.slow
def test_peak_memory_of_reading_the_worst_uploads_stays_under_250_mb(tmp_path):
    root = Path(__file__).resolve().parents[2]
    for name, content in worst_files().items():
        assert len(content) <= 21 * 1024 * 1024, name  # it fits in an upload
        path = tmp_path / name
        path.write_bytes(content)
        done = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, str(path)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        print(name, measured)
        assert measured["peak_mb"] < PEAK_LIMIT_MB, (name, measured)
        assert measured["outcome"] != "read" or name == "big-sheet.xlsx", (name, measured)


@pytest.mark.parametrize("text", ["1e309", "-1e400", "nan", "mười"])
def test_a_number_cell_that_is_no_whole_number_is_a_row_error(text):
    """Infinite numbers written as text (a CSV "1e309") are row errors like any other
    non-number, not an OverflowError."""
    with pytest.raises(imports.RowProblem, match="is not a whole number"):
        imports._int({"percent_done": text}, "percent_done")
