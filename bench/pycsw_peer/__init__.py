"""pycsw 2.6.2, the peer the catalogue benchmarks compare with, in its own
virtualenv (``var/bench/pycsw-venv``), since it needs SQLAlchemy < 2 and OWSLib <
0.29. Nothing of pycsw is committed: only the scripts of this folder, which run in
that virtualenv and talk to the benchmarks through files, JSON on stdout and HTTP.

- ``load_files.py DIR DATABASE`` — pycsw's own ``admin.load_records`` of a folder of
  ISO 19139 files, timed;
- ``load_bulk.py TERRITORY_JSON COUNT SEED DATABASE`` — the benchmark catalogue
  (``crig.catalog.generate``, imported from ``src/``), parsed by pycsw's
  ``metadata.parse_record`` in two processes and inserted in bulk;
- ``serve.py DATABASE PORT`` — pycsw's WSGI application behind ``wsgiref`` on the
  loopback, without the client's ``Accept-Encoding`` (pycsw sets Content-Length
  before gzipping).
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV = ROOT / "var" / "bench" / "pycsw-venv"
PYTHON = VENV / "bin" / "python"


def ensure_venv() -> Path:
    """The virtualenv's python, created and filled on first use (needs PyPI)."""
    if not PYTHON.exists():
        VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
    probe = subprocess.run(  # noqa: S603 (fixed command)
        [str(PYTHON), "-c", "import pycsw, sqlalchemy; print(pycsw.__version__)"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "2.6.2":
        subprocess.run(  # noqa: S603 (fixed command)
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "-q",
                "-r",
                str(HERE / "requirements.txt"),
            ],
            check=True,
        )
    return PYTHON


def run_script(name: str, *args: str, timeout: float = 3600) -> dict:
    """Run a script of this folder in the virtualenv; its last stdout line is JSON."""
    completed = subprocess.run(  # noqa: S603 (scripts of this folder)
        [str(ensure_venv()), str(HERE / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server on port {port} stopped at start-up.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Nothing answers on port {port}.")


def serve(database: Path, port: int) -> subprocess.Popen:
    """pycsw over ``database`` on 127.0.0.1:port; stop it with ``.terminate()``."""
    process = subprocess.Popen(  # noqa: S603 (fixed command)
        [str(ensure_venv()), str(HERE / "serve.py"), str(database), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process
