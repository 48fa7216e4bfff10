"""A throwaway crig instance on a file SQLite database, driven through real
processes: ``crig`` commands, ``crig shell -c``, and workers (``worker.py``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRIG = str(Path(sys.executable).parent / "crig")


class Instance:
    def __init__(self, directory: Path):
        self.directory = directory
        self.database = directory / "crig.sqlite3"
        self.mail = directory / "mail"
        self.mail.mkdir(parents=True, exist_ok=True)
        self.paused = directory / "paused"
        self.logs = directory / "logs"
        self.logs.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "CRIG_DATABASE_URL": f"sqlite:///{self.database}",
            "CRIG_VAR_DIR": str(directory / "var"),
            "CRIG_MEDIA_ROOT": str(directory / "media"),
            "DJANGO_SETTINGS_MODULE": "tests.faults.subprocess_settings",
            "CRIG_TEST_EMAIL_DIR": str(self.mail),
            "CRIG_TEST_PAUSED": str(self.paused),
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("CRIG_TEST_PAUSE", None)
        self._workers: list[subprocess.Popen] = []

    def copy_to(self, directory: Path) -> Instance:
        other = Instance(directory)
        shutil.copyfile(self.database, other.database)
        return other

    def crig(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603
            [CRIG, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise AssertionError(f"crig {' '.join(args)}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.crig("shell", "--no-startup", "-c", code)

    def python(self, code: str, timeout: float = 300) -> subprocess.Popen:
        """Start ``python -c code`` with Django set up (not waited for)."""
        setup = "import django\ndjango.setup()\n"
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", setup + code],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def sql(self, query: str, *params) -> list[tuple]:
        db = sqlite3.connect(self.database, timeout=30)
        try:
            with db:
                return db.execute(query, params).fetchall()
        finally:
            db.close()

    def start_worker(self, pause: str, *, name: str) -> subprocess.Popen:
        env = {**self.env, "CRIG_TEST_PAUSE": pause}
        self.paused.unlink(missing_ok=True)
        log = (self.logs / f"{name}.log").open("w")
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "tests.faults.worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._workers.append(worker)
        return worker

    def wait_paused(self, worker: subprocess.Popen, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not self.paused.exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the worker did not reach its pause point:\n" + self.worker_logs()
                )
            time.sleep(0.1)

    def kill(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)

    def run_worker_batch(self) -> str:
        """A normal worker that runs every ready task, then exits."""
        return self.crig(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", timeout=300
        )

    def worker_logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()}" for log in self.logs.glob("*.log")
        )

    def stop_workers(self) -> None:
        for worker in self._workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(30)

    def tasks(self, path: str = "") -> list[tuple[str, list[str]]]:
        """(status, worker ids) of every task (of that task path), oldest first."""
        return [
            (status, json.loads(workers))
            for status, workers in self.sql(
                "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
                " WHERE task_path LIKE ? ORDER BY enqueued_at",
                path or "%",
            )
        ]

    def emails(self) -> list[str]:
        """The recipient of every e-mail written by the file backend."""
        recipients = []
        for path in sorted(self.mail.iterdir()):
            for line in path.read_text().splitlines():
                if line.startswith("To: "):
                    recipients.append(line[4:])
        return recipients
