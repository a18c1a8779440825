"""A real OpenLDAP server (Debian's slapd) for the directory sign-in tests: its own folder,
a free port, STARTTLS with a certificate made here, and the people and groups of a
ministry's directory, loaded with slapadd before it starts."""

from __future__ import annotations

import base64
import contextlib
import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..served import free_port

SUFFIX = "dc=bo,dc=gov,dc=vn"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "khóa quản trị thư mục"
PEOPLE = f"ou=people,{SUFFIX}"
SUPERVISORS = f"cn=tracker-supervisors,ou=groups,{SUFFIX}"
AUDITORS = f"cn=tracker-auditors,ou=groups,{SUFFIX}"
# username → (full name, directory password)
DIRECTORY_PEOPLE = {
    "nguyen.van.an": ("Nguyễn Văn An", "Mật khẩu thư mục của An 2026"),
    "tran.thi.binh": ("Trần Thị Bình", "Mật khẩu thư mục của Bình 2026"),
    "le.van.khach": ("Lê Văn Khách", "Chỉ có trong thư mục 2026"),
}


@dataclass(frozen=True)
class Directory:
    url: str
    ca_file: str


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Bo\ndc: bo\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid, (name, password) in DIRECTORY_PEOPLE.items():
        entries.append(
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn:: {_b64(name)}\nsn: {uid.split('.')[-1]}\nuserPassword:: {_b64(password)}\n"
        )
    entries.append(
        f"dn: {SUPERVISORS}\nobjectClass: groupOfNames\ncn: tracker-supervisors\n"
        f"member: uid=nguyen.van.an,{PEOPLE}\n"
    )
    entries.append(
        f"dn: {AUDITORS}\nobjectClass: groupOfNames\ncn: tracker-auditors\n"
        f"member: uid=le.van.khach,{PEOPLE}\n"
    )
    return "\n".join(entries)


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # Valid over any instant the suite may run at (make test-days sets Python's clock, but
    # OpenSSL checks the certificate against the machine's own).
    since = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    until = datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(since)
        .not_valid_after(until)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "ldap.crt", folder / "ldap.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def available() -> bool:
    return shutil.which("slapd") is not None or Path("/usr/sbin/slapd").exists()


@contextlib.contextmanager
def slapd(folder: Path):
    """Yield the running directory; stopped at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    cert_file, key_file = _certificate(folder)
    config = folder / "slapd.conf"
    config.write_text(
        "include /etc/ldap/schema/core.schema\n"
        "include /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        "include /etc/ldap/schema/nis.schema\n"
        "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'pidfile "{folder}/slapd.pid"\n'
        f'TLSCertificateFile "{cert_file}"\nTLSCertificateKeyFile "{key_file}"\n'
        "database mdb\nmaxsize 10485760\n"
        f'suffix "{SUFFIX}"\nrootdn "{ROOT_DN}"\nrootpw "{ROOT_PASSWORD}"\n'
        f'directory "{data}"\n'
    )
    (folder / "people.ldif").write_text(_ldif(), encoding="utf-8")
    sbin = "/usr/sbin"
    subprocess.run(
        [f"{sbin}/slapadd", "-f", str(config), "-l", str(folder / "people.ldif")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (folder / "slapd.log").open("w")
    server = subprocess.Popen(
        [f"{sbin}/slapd", "-d", "0", "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/"],
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "slapd.log").read_text()[-2000:])
            time.sleep(0.1)
        yield Directory(url=f"ldap://127.0.0.1:{port}", ca_file=str(cert_file))
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
