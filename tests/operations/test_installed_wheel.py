"""The wheel as an operator installs it: built from the sources, installed into a fresh venv outside
the checkout, then `schutzpfad init --demo`, `serve` and one request — so package data that only
exists in the source tree (bpmn/, templates, migrations) fails here, not at a customer's.

Kept fast: the wheel goes in with `--no-deps`, and the new venv sees the project venv's
dependencies through a .pth file (their files only; the project venv's editable install of the
checkout is not activated, and the commands run from a folder outside the checkout).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What a source distribution of the project holds (the wheel is built from a copy of just these, so
#: a stale build/ folder or an untracked file of the checkout cannot slip into it).
SOURCES = ("pyproject.toml", "README.md", "engine", "web", "audit", "bpmn")


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("schutzpfad-*.whl")
    return wheel


def _venv_with(wheel: Path, tmp: Path) -> Path:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test URL
                return response.status, response.read()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_wheel_installs_outside_the_checkout_and_serves(tmp_path: Path) -> None:
    venv = _venv_with(_build_wheel(tmp_path), tmp_path)
    outside = tmp_path / "betrieb"
    outside.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SCHUTZPFAD_INSTANCE": str(outside / "instance"),
        "SCHUTZPFAD_ALLOW_NO_MFA": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    schutzpfad = str(venv / "bin" / "schutzpfad")
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import engine; print(engine.__file__)"],
        cwd=outside,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the installed package, not the checkout

    init = subprocess.run([schutzpfad, "init", "--demo"], cwd=outside, env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    assert "deployed jugendamt_8a v1" in init.stderr

    port = _free_port()
    server = subprocess.Popen(
        [schutzpfad, "serve", "--port", str(port)],
        cwd=outside,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, body = _get(f"http://127.0.0.1:{port}/anmelden", timeout=30)
        assert status == 200 and b"Anmelden" in body
        status, css = _get(f"http://127.0.0.1:{port}/static/schutzpfad.css", timeout=5)
        assert status == 200 and css
    finally:
        server.terminate()  # SIGTERM, as systemd stops it: the scheduler stops, the exit is clean
        _, errors = server.communicate(timeout=20)
    assert server.returncode == 0 and "Traceback" not in errors, errors
