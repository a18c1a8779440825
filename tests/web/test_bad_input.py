"""Bad input gets a clear 4xx and changes nothing: malformed JSON, wrong content types, huge
bodies, NUL characters, bytes that are not UTF-8, very long strings, wrong types, unknown
fields, on the API and the HTML forms (and on PostgreSQL, where NUL once meant a 500)."""

import pytest

from ..conftest import PASSWORD, login
from .test_route_walk import fingerprint


@pytest.fixture
def task(make, org):
    return make.task(org["department"], code="T1")


@pytest.fixture
def api(client, make, org):
    make.user("admin", org["ministry"], username="root")
    token = client.post("/api/v1/tokens", json={"username": "root", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json['token']}"}


def patch(task, **body):
    return {"version": task.version, "status": "in_progress", "progress": 10, **body}


API_CASES = [
    (
        "malformed JSON",
        "POST",
        "/api/v1/tasks",
        {"data": b"{bad", "content_type": "application/json"},
        422,
        "Invalid JSON",
    ),
    (
        "form to a JSON endpoint",
        "POST",
        "/api/v1/tasks",
        {"data": {"code": "X"}},
        415,
        "Content-Type: application/json",
    ),
    (
        "bytes that are not UTF-8",
        "POST",
        "/api/v1/tasks",
        {"data": b'{"code": "\xff"}', "content_type": "application/json"},
        400,
        "not valid UTF-8",
    ),
    (
        "a JSON array",
        "PATCH",
        "/api/v1/tasks/{id}",
        {"json": [1, 2]},
        422,
        "Input should be an object",
    ),
    (
        "a huge body",
        "POST",
        "/api/v1/tasks",
        {"data": b" " * (40 * 1024 * 1024), "content_type": "application/json"},
        413,
        "exceeds the capacity limit",
    ),
    (
        "a page that is not a number",
        "GET",
        "/api/v1/tasks?page=abc",
        {},
        422,
        "page must be a whole number",
    ),
    ("NUL in the query", "GET", "/api/v1/tasks?q=a%00b", {}, 400, "NUL character"),
    (
        "nesting without end",
        "POST",
        "/api/v1/tasks",
        {"data": b"[" * 200 + b"]" * 200, "content_type": "application/json"},
        400,
        "nested too deeply",
    ),
]


@pytest.mark.parametrize(
    "name, method, url, kwargs, status, message", API_CASES, ids=[c[0] for c in API_CASES]
)
def test_api_refuses_bad_input(client, api, task, name, method, url, kwargs, status, message):
    before = fingerprint()
    response = client.open(url.format(id=task.id), method=method, headers=api, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert message in response.json["detail"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"note": "a\x00b"}, 400, "NUL character"),
        ({"note\x00": "x"}, 400, "NUL character"),
        ({"note": "x" * 100_000}, 422, "at most 5000 characters"),
        ({"progress": "fifty"}, 422, "valid integer"),
        ({"progress": 150}, 422, "less than or equal to 100"),
        ({"status": "done"}, 422, "status"),
        ({"owner": "someone"}, 422, "unknown field"),
        ({"deadline": "2030-01-01"}, 422, "unknown field"),
    ],
)
def test_api_task_patch_validates_every_field(client, api, task, body, status, message):
    before = fingerprint()
    response = client.patch(f"/api/v1/tasks/{task.id}", json=patch(task, **body), headers=api)
    assert response.status_code == status, response.json
    assert message in str(response.json)
    assert fingerprint() == before


@pytest.fixture
def signed_in(client, make, org):
    login(client, make.user("admin", org["ministry"]))
    return client


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "how, data, status, message",
    [
        (
            "NUL in a field",
            {"status": "in_progress", "percent_done": "5", "note": "a\x00b"},
            400,
            "NUL character",
        ),
        (
            "raw bytes that are not UTF-8",
            b"status=in_progress&note=\xff\xfe",
            400,
            "not valid UTF-8",
        ),
        (
            "escaped bytes that are not UTF-8",
            b"status=in_progress&note=%FF%FE",
            400,
            "not valid UTF-8",
        ),
    ],
)
def test_forms_refuse_bad_text(signed_in, task, how, data, status, message):
    before = fingerprint()
    kwargs = {"data": data} if isinstance(data, dict) else {"data": data, "content_type": FORM}
    if isinstance(data, dict):
        data["version"] = str(task.version)
    response = signed_in.post(f"/tasks/{task.id}/progress", **kwargs)
    assert response.status_code == status
    assert message in response.text
    assert fingerprint() == before


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/tasks?q=%FF", 400, "not valid UTF-8"),
        ("/tasks?q=a%00", 400, "NUL character"),
        ("/tasks?as_of=someday", 422, "use a date as dd/mm/yyyy"),
        ("/tasks?status=lost", 422, "Filter status"),
        ("/reports/period?from=2025-02-30&to=2025-03-01", 422, "Give both from and to"),
    ],
)
def test_pages_refuse_bad_query_strings(signed_in, url, status, message):
    response = signed_in.get(url)
    assert response.status_code == status
    assert message in response.text


def test_a_very_long_comment_is_refused_with_its_limit(signed_in, task):
    before = fingerprint()
    response = signed_in.post(
        f"/tasks/{task.id}/comments", data={"body": "x" * 100_000, "kind": "comment"}
    )
    assert response.status_code == 422
    assert "Field cannot be longer than 5000 characters." in response.text
    assert fingerprint() == before
