"""The deployment files of deploy/ are checked by the tools that will read them: gunicorn's
own configuration check, `systemd-analyze verify` on every unit and timer, `nginx -t` on
the site (with a certificate made for the test), and the environment example against the
settings the code reads — so a setting added to the code without its line here fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def test_gunicorn_reads_its_configuration(tmp_path):
    done = subprocess.run(
        [BIN / "gunicorn", "--check-config", "--config", DEPLOY / "gunicorn.conf.py", "app:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TRACKER_INSTANCE_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr


def test_a_worker_compiles_its_templates_and_moves_the_application_out_of_the_collectors_sight(
    tmp_path,
):
    """After gunicorn loads the app into a worker, every page template is compiled (no
    reader's first request pays for it) and the objects are frozen (gc.freeze): a full
    collection no longer walks them during a request. Run in a process of its own."""
    script = (
        "import gc, runpy, types\n"
        "from tracker.wsgi import app\n"
        f"hooks = runpy.run_path({str(DEPLOY / 'gunicorn.conf.py')!r})\n"
        "before = gc.get_freeze_count(), len(app.jinja_env.cache)\n"
        "hooks['post_worker_init'](types.SimpleNamespace(wsgi=app))\n"
        "pages = len(app.jinja_env.list_templates(extensions=['html']))\n"
        "print(*before, gc.get_freeze_count(), len(app.jinja_env.cache), pages)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TRACKER_INSTANCE_DIR": str(tmp_path), "TRACKER_ENV": "development"},
    )
    assert done.returncode == 0, done.stderr
    frozen_before, compiled_before, frozen, compiled, pages = (
        int(n) for n in done.stdout.split()[-5:]
    )
    assert frozen_before == 0 and frozen > 10_000, done.stdout
    assert compiled_before == 0 and compiled == pages > 40, done.stdout


def settings_the_code_reads() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        names |= set(re.findall(r'(?:env|environ)\.get\(\s*"([A-Z_]+)"', path.read_text()))
    return names


def test_the_environment_example_names_every_setting():
    example = (DEPLOY / "tracker.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z_]+)=", example, re.MULTILINE))
    gunicorn = set(
        re.findall(
            r'"((?:GUNICORN|PROMETHEUS)_[A-Z_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()
        )
    )
    assert settings_the_code_reads() | gunicorn <= named
    assert len(settings_the_code_reads()) > 35  # the search itself still finds them


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing")
def test_systemd_verifies_every_unit_and_timer(tmp_path):
    """The units as installed, with the virtual environment's programs where they expect
    /opt/tracker's (systemd checks that each command exists)."""
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/tracker/bin/", f"{BIN}/")
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir())
    assert len(units) >= 10
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    for name in ("tracker-web.service", "tracker-worker.service", "tracker-beat.service"):
        service = (DEPLOY / "systemd" / name).read_text()
        for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
            assert hardening in service, (name, hardening)
        assert "ReadWritePaths=/var/lib/tracker" in service


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tracker.example.gov.vn")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "fullchain.pem", folder / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.skipif(NGINX is None, reason="nginx is missing (make test installs nginx-light)")
def test_nginx_accepts_the_site(tmp_path):
    cert, private = self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "tracker.conf").read_text()
    site = site.replace("/etc/ssl/tracker/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/tracker/privkey.pem", str(private))
    (tmp_path / "tracker.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  include {tmp_path}/tracker.conf;\n}}\n"
    )
    done = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    # The body limit matches the app's: MAX_UPLOAD_MB (20) and 1 MB for the form.
    assert "client_max_body_size 21m;" in site
