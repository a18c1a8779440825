"""Single sign-on with an OpenID Connect provider: a real one, built from Authlib's server
classes and served over HTTP by the test (oidc_provider.py). The code flow with PKCE; state,
nonce and the ID token's signature, issuer, audience and expiry checked; the account matched
by a claim; unknown people refused or made inactive; logout ends the tracker's session."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, User

from . import oidc_provider

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture
def provider(app, monkeypatch):
    with oidc_provider.running(CALLBACK) as running:
        for name, value in {
            "OIDC_ISSUER": running.issuer,
            "OIDC_CLIENT_ID": running.client.client_id,
            "OIDC_CLIENT_SECRET": running.client.client_secret,
        }.items():
            monkeypatch.setitem(app.config, name, value)
        yield running


def person(username: str, name: str = "Phạm Thị Hạnh") -> dict:
    return {"sub": f"sub-{username}", "preferred_username": username, "name": name}


def through_the_provider(client, next_page: str | None = None):
    """Start at the tracker, visit the provider (real HTTP), come back: the tracker's
    answer to the callback, and the authorization request the tracker sent."""
    start = client.get("/login/sso" + (f"?next={next_page}" if next_page else ""))
    assert start.status_code == 302, start.text
    asked = parse_qs(urlsplit(start.location).query)
    at_provider = requests.get(start.location, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlsplit(at_provider.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}"), asked


def test_a_known_person_signs_in_with_pkce_state_and_nonce(app, client, provider, make, org):
    make.user("supervisor", org["ministry"], username="pham.thi.hanh")
    provider.person = person("Pham.Thi.Hanh")  # the provider's spelling; any case matches
    landed, asked = through_the_provider(client, next_page="/board")
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"]
    assert asked["state"] and asked["nonce"] and asked["response_type"] == ["code"]
    assert landed.status_code == 302 and landed.location.endswith("/board")
    assert client.get("/dashboard").status_code == 200
    assert "pham.thi.hanh" in [
        event.actor_username
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    ]
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302  # the tracker's session ended


@pytest.mark.parametrize(
    "fault",
    [
        {"key": True},  # signed with a key the provider does not publish
        {"iss": "http://127.0.0.1:1/gia-mao"},  # another issuer
        {"aud": "ung-dung-khac"},  # for another client
        {"exp": -600},  # expired ten minutes ago
    ],
)
def test_an_id_token_that_does_not_verify_signs_nobody_in(app, client, provider, make, org, fault):
    make.user("supervisor", org["ministry"], username="pham.thi.hanh")
    provider.person = person("pham.thi.hanh")
    provider.misbehave = fault
    landed, _asked = through_the_provider(client)
    assert landed.status_code == 403
    assert client.get("/dashboard").status_code == 302


def test_a_forged_or_replayed_callback_signs_nobody_in(app, client, provider, make, org):
    make.user("supervisor", org["ministry"], username="pham.thi.hanh")
    provider.person = person("pham.thi.hanh")
    start = client.get("/login/sso")
    code_at = requests.get(start.location, allow_redirects=False, timeout=10).headers["Location"]
    query = parse_qs(urlsplit(code_at).query)
    code, state = query["code"][0], query["state"][0]
    stranger = app.test_client()  # not the browser that started: it has no such state
    assert stranger.get(f"/login/sso/callback?code={code}&state={state}").status_code == 403
    wrong_state = client.get(f"/login/sso/callback?code={code}&state=khac")
    assert wrong_state.status_code == 403
    assert client.get("/dashboard").status_code == 302


def test_unknown_people_are_refused_or_wait_inactive(app, client, provider, org, monkeypatch):
    provider.person = person("nguoi.la")
    refused, _asked = through_the_provider(client)
    assert refused.status_code == 403
    assert db.session.scalar(select(User).where(User.username == "nguoi.la")) is None

    monkeypatch.setitem(app.config, "OIDC_CREATE_USERS", True)
    monkeypatch.setitem(app.config, "OIDC_DEFAULT_UNIT", org["department"].code)
    provider.person = {**person("nguoi.moi", "Đỗ Văn Mới"), "email": "moi@bo.gov.vn"}
    waiting, _asked = through_the_provider(app.test_client())
    assert waiting.status_code == 403 and "administrator" in waiting.text
    made = db.session.scalar(select(User).where(User.username == "nguoi.moi"))
    assert (made.active, made.name, made.unit_id, made.role) == (
        False,
        "Đỗ Văn Mới",
        org["department"].id,
        "officer",
    )
    again, _asked = through_the_provider(app.test_client())
    assert again.status_code == 403  # still waiting: inactive until an admin activates it
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.created_from_sso")
        ).object_id
        == made.id
    )


def test_without_a_provider_the_routes_do_not_exist(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert "ministry's account" not in client.get("/login").text
