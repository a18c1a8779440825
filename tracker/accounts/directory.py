"""Signing in against the ministry's directory (LDAP or Active Directory) with ldap3.

With LDAP_URL set, a username and password are checked by binding to the directory as the
person: their DN is LDAP_USER_DN with `{username}` filled in (escaped), or, with
LDAP_SEARCH_BASE, the one entry LDAP_SEARCH_FILTER finds there (searched as LDAP_BIND_DN, or
anonymously). LDAP_STARTTLS upgrades the connection before any password crosses it
(LDAP_CA_FILE names the authority to trust; an ldaps:// URL is TLS from the start). The
account must exist in the tracker under the same username (its unit is the tracker's to
know); LDAP_ROLE_GROUPS (`group DN=role;…`) sets its role from the groups it belongs to
(groupOfNames `member` or posixGroup `memberUid`), the first listed group winning.

The directory's answer is one of: the password is right, wrong, or the directory cannot be
asked (unreachable, misconfigured). accounts.users decides what each means.
"""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass
from enum import Enum

from ldap3 import NONE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPInvalidCredentialsResult
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from ..infra import context

TIMEOUT_SECONDS = 5


class Verdict(Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    # The role the directory's groups give (None: no mapped group, keep the tracker's).
    role: str | None = None


def configured() -> bool:
    return bool(context.setting("LDAP_URL"))


def role_groups(text: str) -> list[tuple[str, str]]:
    """LDAP_ROLE_GROUPS as (group DN, role) pairs, in order: `dn=role;dn=role`. The role is
    after the last `=` (a DN holds `=` too)."""
    pairs = []
    for part in text.split(";"):
        group, sep, role = part.strip().rpartition("=")
        if sep and group.strip() and role.strip():
            pairs.append((group.strip(), role.strip()))
    return pairs


def _server() -> Server:
    config = context.settings()
    tls = None
    if config["LDAP_STARTTLS"] or str(config["LDAP_URL"]).startswith("ldaps://"):
        tls = Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=config["LDAP_CA_FILE"] or None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
    return Server(config["LDAP_URL"], get_info=NONE, tls=tls, connect_timeout=TIMEOUT_SECONDS)


def _connection(server: Server, user: str | None, password: str | None) -> Connection:
    connection = Connection(
        server,
        user=user,
        password=password,
        receive_timeout=TIMEOUT_SECONDS,
        raise_exceptions=True,
    )
    try:
        connection.open()
        if context.setting("LDAP_STARTTLS"):
            connection.start_tls()
    except LDAPException:
        _close(connection)
        raise
    return connection


def _close(connection: Connection) -> None:
    """Unbind and close the socket, whatever state the connection was left in."""
    with contextlib.suppress(LDAPException):
        connection.unbind()
    socket = getattr(connection, "socket", None)
    if socket is not None:
        socket.close()


def _user_dn(server: Server, username: str) -> str | None:
    """The person's DN: from the template, or the one entry the search finds."""
    config = context.settings()
    if config["LDAP_USER_DN"]:
        return str(config["LDAP_USER_DN"]).replace("{username}", escape_rdn(username))
    searcher = _connection(server, config["LDAP_BIND_DN"], config["LDAP_BIND_PASSWORD"])
    try:
        searcher.bind()
        query = str(config["LDAP_SEARCH_FILTER"]).replace(
            "{username}", escape_filter_chars(username)
        )
        searcher.search(config["LDAP_SEARCH_BASE"], query, attributes=[], size_limit=2)
        entries = searcher.entries
        return entries[0].entry_dn if len(entries) == 1 else None
    finally:
        _close(searcher)


def check(username: str, password: str) -> Answer:
    """Whether the directory accepts `password` for `username`, and the role its groups
    give."""
    if not password:
        return Answer(Verdict.REFUSED)  # an empty password is an anonymous bind: never
    server = _server()
    try:
        dn = _user_dn(server, username)
        if dn is None:
            return Answer(Verdict.REFUSED)
        person = _connection(server, dn, password)
        try:
            person.bind()
            return Answer(Verdict.ACCEPTED, _role_of(person, dn, username))
        finally:
            _close(person)
    except (LDAPBindError, LDAPInvalidCredentialsResult):
        return Answer(Verdict.REFUSED)
    except LDAPException as error:
        context.log().error("the directory at %s cannot be asked: %s", server.host, error)
        return Answer(Verdict.UNAVAILABLE)


def _role_of(connection: Connection, dn: str, username: str) -> str | None:
    for group, role in role_groups(context.setting("LDAP_ROLE_GROUPS")):
        query = (
            f"(|(member={escape_filter_chars(dn)})(uniqueMember={escape_filter_chars(dn)})"
            f"(memberUid={escape_filter_chars(username)}))"
        )
        try:
            connection.search(group, query, search_scope="BASE", attributes=[])
        except LDAPException:
            continue  # a group that does not exist, or that the person may not read
        if connection.entries:
            return role
    return None
