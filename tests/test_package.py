"""The package as a ministry installs it: a wheel built from this checkout, installed into a
new virtual environment, started outside the checkout, serves a Vietnamese login page (the
catalogues are compiled into the wheel) and migrates an empty database (the migrations and
templates travel inside the package)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

from tracker.config import PACKAGE_DIR

CHECKOUT = PACKAGE_DIR.parent

SERVE_ONE_PAGE = textwrap.dedent(
    """
    import sys
    import tracker
    from flask_migrate import upgrade
    from tracker import create_app

    assert tracker.__file__.startswith(sys.prefix), tracker.__file__
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1]})
    with app.app_context():
        upgrade()
    page = app.test_client().get("/login", headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    print(page.status_code)
    print(page.get_data(as_text=True))
    """
)


def test_a_built_wheel_serves_vietnamese_from_a_new_environment(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, CHECKOUT],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("directive_tracker-*.whl")

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies (Flask, SQLAlchemy, ...) come from the test environment, after the new
    # environment's own packages; the tracker itself only from the wheel.
    new_site = Path(
        sysconfig.get_path("purelib", vars={"base": environment, "platbase": environment})
    )
    (new_site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    served = subprocess.run(
        [python, "-c", SERVE_ONE_PAGE, str(tmp_path / "tracker.db")],
        capture_output=True,
        text=True,
        cwd=outside,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert served.returncode == 0, served.stderr
    status, page = served.stdout.split("\n", 1)
    assert status == "200"
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page
    assert "/static/app.css" in page
    assert (outside / "instance").is_dir()  # what the installation writes stays outside it
