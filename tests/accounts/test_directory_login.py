"""Signing in against the ministry's directory: a real OpenLDAP server (slapd) started by the
tests, the person's DN from a template or found by a search, STARTTLS, roles from groups,
local passwords turned off but for a break-glass admin, and a directory that cannot be
reached."""

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, User

from ..conftest import PASSWORD
from . import slapd as ldap_server
from .slapd import AUDITORS, DIRECTORY_PEOPLE, PEOPLE, ROOT_DN, ROOT_PASSWORD, SUPERVISORS

AN_PASSWORD = DIRECTORY_PEOPLE["nguyen.van.an"][1]
BINH_PASSWORD = DIRECTORY_PEOPLE["tran.thi.binh"][1]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    if not ldap_server.available():
        pytest.skip("slapd is not installed (make test installs it)")
    with ldap_server.slapd(tmp_path_factory.mktemp("thư mục")) as running:
        yield running


@pytest.fixture
def use_directory(app, directory, monkeypatch):
    """The app signs in against the directory, by DN template, over STARTTLS."""

    def configure(**settings):
        values = {
            "LDAP_URL": directory.url,
            "LDAP_USER_DN": f"uid={{username}},{PEOPLE}",
            "LDAP_STARTTLS": True,
            "LDAP_CA_FILE": directory.ca_file,
            "LDAP_ROLE_GROUPS": f"{SUPERVISORS}=supervisor;{AUDITORS}=auditor",
            **settings,
        }
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)

    configure()
    return configure


@pytest.fixture
def people(make, org):
    return {
        "an": make.user("officer", org["department"], username="nguyen.van.an"),
        "binh": make.user("unit_leader", org["department"], username="tran.thi.binh"),
        "admin": make.user("admin", org["ministry"], username="quan.tri.khan"),
    }


def sign_in(app, username, password):
    return app.test_client().post("/login", data={"username": username, "password": password})


def test_the_directory_password_signs_in_and_its_groups_give_the_role(app, use_directory, people):
    assert sign_in(app, "tran.thi.binh", BINH_PASSWORD).status_code == 302
    assert sign_in(app, "tran.thi.binh", "sai mật khẩu").status_code == 401
    # An is an officer in the tracker and a member of the supervisors' group.
    assert sign_in(app, "Nguyen.Van.An", AN_PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, people["an"].id).role == "supervisor"
    assert db.session.get(User, people["binh"].id).role == "unit_leader"  # no mapped group
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.role_from_directory")
    )
    assert event.object_id == people["an"].id
    assert (event.before["role"], event.after["role"]) == ("officer", "supervisor")


def test_someone_only_in_the_directory_gets_no_account(app, use_directory, people):
    assert sign_in(app, "le.van.khach", DIRECTORY_PEOPLE["le.van.khach"][1]).status_code == 401
    assert db.session.scalar(select(User).where(User.username == "le.van.khach")) is None


def test_the_person_is_found_by_a_search_and_filter_characters_find_nobody(
    app, use_directory, people
):
    use_directory(
        LDAP_USER_DN=None,
        LDAP_SEARCH_BASE=PEOPLE,
        LDAP_SEARCH_FILTER="(&(objectClass=inetOrgPerson)(uid={username}))",
        LDAP_BIND_DN=ROOT_DN,
        LDAP_BIND_PASSWORD=ROOT_PASSWORD,
    )
    assert sign_in(app, "tran.thi.binh", BINH_PASSWORD).status_code == 302
    for hostile in ("*", "tran*", "*)(uid=*", "tran.thi.binh)(|(uid=*"):
        assert sign_in(app, hostile, BINH_PASSWORD).status_code == 401


def test_local_passwords_off_but_for_the_break_glass_admin(app, use_directory, people):
    use_directory(LOCAL_LOGIN=False, LOCAL_LOGIN_ADMIN="quan.tri.khan")
    assert sign_in(app, "tran.thi.binh", PASSWORD).status_code == 401  # the tracker's own
    assert sign_in(app, "tran.thi.binh", BINH_PASSWORD).status_code == 302
    assert sign_in(app, "quan.tri.khan", PASSWORD).status_code == 302
    client = app.test_client()
    assert "/password/forgot" not in client.get("/login").text
    assert client.get("/password/forgot").status_code == 404
    api = client.post(
        "/api/v1/tokens", json={"username": "tran.thi.binh", "password": BINH_PASSWORD}
    )
    assert api.status_code == 201


def test_a_directory_that_cannot_be_asked(app, use_directory, people, directory):
    untrusted = {"LDAP_CA_FILE": None}  # STARTTLS against a certificate nobody vouches for
    unreachable = {"LDAP_URL": "ldap://127.0.0.1:9", "LDAP_STARTTLS": False}
    for broken in (untrusted, unreachable):
        use_directory(LOCAL_LOGIN=True, **broken)
        assert sign_in(app, "tran.thi.binh", BINH_PASSWORD).status_code == 401
        assert sign_in(app, "tran.thi.binh", PASSWORD).status_code == 302  # the local one
        use_directory(LOCAL_LOGIN=False, **broken)
        assert sign_in(app, "tran.thi.binh", PASSWORD).status_code == 401
