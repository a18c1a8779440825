"""A property-based fuzz (Hypothesis) of every form and every API body, on the database the
suite runs on: bodies drawn from the pydantic models' field types and the WTForms forms'
field names, mixed with the extremes an outside probe sent (numbers past 64 bits, NaN and
infinity, days in the years 1 and 9999, full-width and superscript digits, NUL, line breaks,
right-to-left marks, 70,000-character text, nested JSON, files of random bytes), posted to
every state-changing route as an admin. No answer is a 5xx, and the audit chain still
verifies afterwards. A new form or API body is fuzzed as soon as it exists: the tests fail
when a state-changing route or a form class is not covered."""

from __future__ import annotations

import io
import json
import typing
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from tracker import audit
from tracker.audit.trail import jsonable
from tracker.web.admin import forms as admin_forms
from tracker.web.api import schemas
from tracker.web.auth import forms as auth_forms
from tracker.web.directives import forms as directive_forms
from tracker.web.tasks import forms as task_forms

from ..conftest import PASSWORD, login
from .test_route_walk import rules, url_of, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=list(HealthCheck),
)

EXTREME_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "NV-1\r\nBcc: attacker@evil.example",
        "１２",
        "²",
        "-1",
        "0",
        str(10**30),
        str(2**63),
        "1e309",
        "NaN",
        "-Infinity",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
        "31/12/9999",
        "9999-Q4",
        "0001",
        "2026-Q5",
        "Đ" * 70_000,
        "\u202eĐơn vị",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "😀 Bộ Công Thương",
        "true",
        "null",
        "%s%n",
    ]
)
TEXT = st.one_of(
    EXTREME_TEXT,
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)).map(
        lambda day: day.strftime("%d/%m/%Y")
    ),
)
EXTREME_JSON = st.one_of(
    TEXT,
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([10**30, 2**63, -(2**63) - 1, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(TEXT, max_size=3),
    st.dictionaries(st.text(max_size=5), TEXT, max_size=2),
)
# Values that are right for the demo world, so that a body gets past its first field.
PLAUSIBLE = {
    "directive": st.just("57-NQ/TW"),
    "lead_unit": st.sampled_from(["DEP", "MIN", "INS"]),
    "coordinating_units": st.sampled_from([["OTH"], ["OTH", "OTH"], "OTH"]),
    "owner": st.sampled_from(["officer", "unit_leader"]),
    "target": st.just("MT1"),
    "unit": st.sampled_from(["DEP", "MIN"]),
    "parent_unit": st.sampled_from(["MIN", ""]),
    "scope": st.sampled_from(["DEP", "MIN", ""]),
    "version": st.integers(min_value=1, max_value=6),
    "period": st.sampled_from(["2025-Q1", "2025-03", "2025"]),
    "language": st.sampled_from(["vi", "en"]),
    "status": st.sampled_from(["in_progress", "submitted", "completed", "cancelled"]),
    "progress": st.integers(min_value=0, max_value=100),
    "percent_done": st.integers(min_value=0, max_value=100),
    "role": st.sampled_from(["admin", "supervisor", "unit_leader", "officer", "auditor"]),
    "kind": st.sampled_from(["task", "milestone", "comment", "obstacle", "resolution"]),
    "frequency": st.sampled_from(["monthly", "quarterly", "half_yearly"]),
    "verdict": st.sampled_from(["accept", "send_back"]),
    "task_id": st.integers(min_value=1, max_value=6),
    # A batch of progress reports: each one fuzzed as a body of its own.
    "updates": st.deferred(lambda: st.lists(json_body(schemas.TaskProgress), max_size=4)),
}


def typed(annotation: typing.Any) -> st.SearchStrategy:
    """Values of a pydantic field's own type (dates as ISO text, decimals as text)."""
    return st.from_type(annotation).map(jsonable)


def json_body(model: type[schemas.Body]) -> st.SearchStrategy:
    """A body for `model`: its fields from their types, plausible values or the extremes,
    sometimes an unknown field, sometimes not an object at all."""
    fields = {}
    for name, info in model.model_fields.items():
        choices = [typed(info.annotation), EXTREME_JSON]
        if name in PLAUSIBLE:
            choices.insert(0, PLAUSIBLE[name])
        fields[name] = st.one_of(*choices)
    required = {
        name: fields[name] for name, info in model.model_fields.items() if info.is_required()
    }
    optional = {name: fields[name] for name in fields if name not in required}
    objects = st.fixed_dictionaries(required, optional=optional)
    with_extra = st.tuples(objects, st.text(min_size=1, max_size=8), EXTREME_JSON).map(
        lambda parts: {**parts[0], parts[1]: parts[2]}
    )
    return st.one_of(objects, objects, objects, with_extra, EXTREME_JSON)


# The API's JSON bodies, by endpoint.
API_BODIES = {
    "api.create_token": schemas.TokenRequest,
    "api.create_task": schemas.TaskCreate,
    "api.patch_task": schemas.TaskPatch,
    "api.report_several": schemas.ProgressBatch,
    "api.ask_extension": schemas.ExtensionAsk,
    "api.decide_extension": schemas.ExtensionDecision,
    "api.post_comment": schemas.CommentBody,
    "api.answer_comment": schemas.AnswerBody,
    "api.issue_notice": schemas.UrgingBody,
    "api.give_task": schemas.OwnerBody,
    "api.record_target_value": schemas.TargetValueBody,
    "api.create_recurring": schemas.RecurringBody,
    "api.add_evidence": schemas.EvidenceLink,
    "api.create_export": schemas.ExportRequest,
}
# State-changing API routes whose body is not JSON (a multipart file, or none).
API_WITHOUT_JSON = {"api.import_file", "api.revoke_token"}

FORM_MODULES = (admin_forms, auth_forms, directive_forms, task_forms)
# Fields routes read from the request beside their forms (filters, choices, redirects).
RAW_FIELDS = (
    "apply",
    "dry_run",
    "language",
    "next",
    "note",
    "scope",
    "username",
    "verdict",
    "period",
    "directive",
    "unit",
    "key",
    "from",
    "to",
    "deadline_basis",
    "sha256",
    "as_of",
)
ANONYMOUS_FORMS = {"auth.login", "auth.set_language"}
NOT_FUZZED_FORMS = {"auth.logout"}  # it would end the fuzzing admin's session


def form_classes() -> list[type]:
    from flask_wtf import FlaskForm

    return [
        value
        for module in FORM_MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, FlaskForm)
        and value.__module__ == module.__name__
    ]


def form_field_names() -> list[str]:
    names = {
        name
        for form in form_classes()
        for name in dir(form)
        if isinstance(getattr(form, name, None), UnboundField)
    }
    return sorted(names | set(RAW_FIELDS))


def form_body() -> st.SearchStrategy:
    """A form post: any of the forms' fields, each plausible or extreme, and sometimes a
    file of random bytes under a hostile name."""
    fields = {
        name: st.one_of(PLAUSIBLE[name].map(str), TEXT) if name in PLAUSIBLE else TEXT
        for name in form_field_names()
    }
    files = st.one_of(
        st.none(),
        st.tuples(
            st.binary(max_size=300),
            st.sampled_from(
                ["Báo cáo Đợt 1.pdf", "x.xlsx", "a.csv", "../../x.docx", "\x00.png", ""]
            ),
        ),
    )
    return st.tuples(st.fixed_dictionaries({}, optional=fields), files)


def state_changing_rules(app, api: bool):
    for rule in rules(app):
        if not (rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            continue
        if rule.rule.startswith("/api/") == api:
            yield rule


def test_every_api_body_and_form_is_fuzzed(app):
    """A new state-changing route or form class must join the fuzz below."""
    api = {rule.endpoint for rule in state_changing_rules(app, api=True)}
    assert api == set(API_BODIES) | API_WITHOUT_JSON
    names = set(form_field_names())
    for form in form_classes():
        assert {n for n in dir(form) if isinstance(getattr(form, n), UnboundField)} <= names
    assert len(form_classes()) >= 17


@pytest.mark.parametrize("endpoint", sorted(API_BODIES))
def test_no_api_body_gets_a_server_error(app, client, world, endpoint):  # noqa: F811
    rule = next(r for r in state_changing_rules(app, api=True) if r.endpoint == endpoint)
    url = url_of(rule, world["values"])
    method = next(m for m in ("PATCH", "POST", "PUT") if m in rule.methods)
    token = client.post("/api/v1/tokens", json={"username": "admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json['token']}"}

    @FUZZ
    @given(body=json_body(API_BODIES[endpoint]))
    def post(body):
        raw = json.dumps(body, allow_nan=True)
        response = client.open(
            url, method=method, data=raw, headers=headers, content_type="application/json"
        )
        assert response.status_code < 500, (url, raw[:300], response.get_data(as_text=True)[:500])
        app.extensions["login_guard"].reset()  # token failures must not throttle the run

    post()
    assert audit.verify_chain()[1] is None


def form_routes() -> list[str]:
    from tracker import create_app

    probe = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
    return sorted(
        rule.rule
        for rule in state_changing_rules(probe, api=False)
        if rule.endpoint not in NOT_FUZZED_FORMS
    )


@pytest.mark.parametrize("route", form_routes())
def test_no_form_post_gets_a_server_error(app, client, world, route):  # noqa: F811
    rule = next(r for r in state_changing_rules(app, api=False) if r.rule == route)
    url = url_of(rule, world["values"])
    if rule.endpoint in ANONYMOUS_FORMS:
        poster = app.test_client()
    else:
        poster = client
        login(poster, world["people"]["admin"])

    @FUZZ
    @given(post=form_body())
    def send(post):
        fields, upload = post
        data = dict(fields)
        if upload is not None:
            data["file"] = (io.BytesIO(upload[0]), upload[1])
        response = poster.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, (url, fields, response.get_data(as_text=True)[:500])
        app.extensions["login_guard"].reset()

    send()
    assert audit.verify_chain()[1] is None
