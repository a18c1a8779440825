"""The second factor (TOTP, RFC 6238): enrolment with a QR code drawn by the server and the
secret as text, confirmed by a first code; ten recovery codes shown once and kept hashed;
required at login for the roles in MFA_REQUIRED_ROLES, who are sent to set it up; a code is
accepted once; failures are throttled like passwords; the API asks for `otp`; an admin can
reset it, audited."""

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.infra import clock
from tracker.models import AuditEvent, RecoveryCode, User

from ..conftest import PASSWORD, login


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("admin", "supervisor", "auditor"))


@pytest.fixture
def still(time_machine):
    """The clock stands at the start of a 30-second step (codes computed in the test stay
    current) and moves only when the test moves it."""
    now = clock.now()
    start = now - timedelta(seconds=now.timestamp() % 30)
    time_machine.move_to(start, tick=False)
    return start


@pytest.fixture
def auditor(make, org):
    return make.user(
        "auditor", org["ministry"], username="kiểm.toán.viên.Đào", name="Đào Thị Thu", language="vi"
    )


def sign_in(client, user):
    return client.post("/login", data={"username": user.username, "password": PASSWORD})


def secret_shown(page) -> str:
    return (
        re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    )


def enrol(client, user) -> tuple[str, list[str]]:
    """Set the second factor up through the pages; the secret and the recovery codes."""
    page = client.get("/account/two-factor")
    secret = secret_shown(page)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.text)
    return secret, codes


def test_a_required_role_is_sent_to_set_it_up_and_confirms_with_a_first_code(
    client, auditor, required, still
):
    assert sign_in(client, auditor).status_code == 302
    for page in ("/dashboard", "/tasks", "/reports/period"):
        response = client.get(page)
        assert response.status_code == 302 and response.location.endswith("/account/two-factor")
    enrolment = client.get("/account/two-factor")
    assert enrolment.status_code == 200
    assert "Thiết lập xác thực hai lớp" in enrolment.text  # in her language
    assert "mã khôi phục" not in enrolment.text  # no recovery codes before they exist
    svg = re.search(r"<svg [^>]*class=\"qr-code\".*?</svg>", enrolment.text, re.S).group(0)
    assert "<path" in svg and "http" not in svg and "src=" not in svg  # drawn here, whole
    secret = secret_shown(enrolment)
    assert client.get("/account/two-factor").text.count(secret[:4]) >= 1  # same on reload
    assert secret_shown(client.get("/account/two-factor")) == secret
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422
    assert not db.session.get(User, auditor.id).has_second_factor
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.text)
    assert len(set(codes)) == 10
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == auditor.id)
    ).all()
    assert sorted(stored) == sorted(
        hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes
    )
    assert client.get("/dashboard").status_code == 200
    shown_again = client.get("/account/two-factor")
    assert "10 mã khôi phục còn lại" in shown_again.text and codes[0] not in shown_again.text


def test_login_asks_for_the_code_and_accepts_each_code_once(app, client, auditor, required, still):
    sign_in(client, auditor)
    secret, _codes = enrol(client, auditor)
    totp = pyotp.TOTP(secret)
    browser = app.test_client()
    first = sign_in(browser, auditor)
    assert first.status_code == 302 and first.location.endswith("/login/code")
    assert browser.get("/dashboard").status_code == 302  # not signed in yet
    assert browser.post("/login/code", data={"code": "123456"}).status_code == 401
    # The code that confirmed the enrolment, in the same 30 seconds, is not accepted again.
    assert browser.post("/login/code", data={"code": totp.now()}).status_code == 401
    still_later = still + timedelta(seconds=30)
    import time_machine

    with time_machine.travel(still_later, tick=False):
        accepted = browser.post("/login/code", data={"code": totp.now()})
        assert accepted.status_code == 302 and accepted.location.endswith("/")
        assert browser.get("/dashboard").status_code == 200
        other = app.test_client()
        sign_in(other, auditor)
        replay = other.post("/login/code", data={"code": totp.now()})
        assert replay.status_code == 401


def test_a_recovery_code_works_once(app, client, auditor, required, still):
    sign_in(client, auditor)
    _secret, codes = enrol(client, auditor)
    browser = app.test_client()
    sign_in(browser, auditor)
    assert browser.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    again = app.test_client()
    sign_in(again, auditor)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions.count("user.recovery_code_used") == 1


def test_wrong_codes_are_throttled_like_passwords(app, client, auditor, required, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    sign_in(client, auditor)
    enrol(client, auditor)
    browser = app.test_client()
    sign_in(browser, auditor)
    for _ in range(3):
        assert browser.post("/login/code", data={"code": "999999"}).status_code == 401
    refused = browser.post("/login/code", data={"code": "999999"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]


def test_the_first_step_lasts_five_minutes(app, client, auditor, required, still, time_machine):
    sign_in(client, auditor)
    secret, _codes = enrol(client, auditor)
    browser = app.test_client()
    sign_in(browser, auditor)
    time_machine.move_to(still + timedelta(minutes=6), tick=False)
    late = browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert late.status_code == 302 and late.location.endswith("/login")
    assert browser.get("/dashboard").status_code == 302


def test_the_api_asks_for_otp(app, client, auditor, required, still, make, org):
    api = app.test_client()
    body = {"username": auditor.username, "password": PASSWORD}
    missing = api.post("/api/v1/tokens", json=body)
    assert missing.status_code == 403 and "two-factor" in missing.json["detail"]
    sign_in(client, auditor)
    secret, _codes = enrol(client, auditor)
    assert api.post("/api/v1/tokens", json=body).status_code == 401
    with_code_used = api.post("/api/v1/tokens", json={**body, "otp": pyotp.TOTP(secret).now()})
    assert with_code_used.status_code == 401  # the enrolment's code, this same step
    import time_machine

    with time_machine.travel(still + timedelta(seconds=30), tick=False):
        issued = api.post("/api/v1/tokens", json={**body, "otp": pyotp.TOTP(secret).now()})
        assert issued.status_code == 201
        replay = api.post("/api/v1/tokens", json={**body, "otp": pyotp.TOTP(secret).now()})
        assert replay.status_code == 401
    officer = make.user("officer", org["department"])  # no second factor asked of the role
    plain = api.post("/api/v1/tokens", json={"username": officer.username, "password": PASSWORD})
    assert plain.status_code == 201


def test_an_admin_sees_and_resets_the_second_factor(app, client, auditor, required, make, org):
    sign_in(client, auditor)
    enrol(client, auditor)
    admin = make.user("admin", org["ministry"], language="vi")
    officer = make.user("officer", org["department"], username="cán.bộ.Lê")
    supervisor = make.user("supervisor", org["ministry"])
    # The admin signs in without the form (a session): the list is what is tested here.
    admin.totp_enabled_at = clock.now()
    admin.totp_secret = pyotp.random_base32()
    db.session.commit()
    console = app.test_client()
    login(console, admin)
    listing = console.get("/admin/users").text
    rows = {
        name: re.search(rf"<strong>{re.escape(name)}</strong>.*?</tr>", listing, re.S).group(0)
        for name in (auditor.username, officer.username, supervisor.username)
    }
    assert "<td>đã thiết lập</td>" in rows[auditor.username]
    assert "<td>chưa thiết lập</td>" in rows[officer.username]
    assert "bắt buộc, chưa thiết lập" in rows[supervisor.username]

    login(console, supervisor)  # sent to set up their own second factor first
    refused = console.post(f"/admin/users/{auditor.id}/reset-second-factor")
    assert refused.location.endswith("/account/two-factor")
    login(console, officer)
    assert console.post(f"/admin/users/{auditor.id}/reset-second-factor").status_code == 403
    assert db.session.get(User, auditor.id).has_second_factor
    login(console, admin)
    assert console.post(f"/admin/users/{auditor.id}/reset-second-factor").status_code == 302
    db.session.expire_all()
    reset = db.session.get(User, auditor.id)
    assert not reset.has_second_factor and reset.totp_secret is None
    assert (
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == reset.id)).all() == []
    )
    assert client.get("/dashboard").status_code == 302  # her session ended
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.second_factor_reset")
    )
    assert event.object_id == auditor.id and event.actor_id == admin.id
    again = app.test_client()
    assert sign_in(again, auditor).status_code == 302
    assert again.get("/dashboard").location.endswith("/account/two-factor")
