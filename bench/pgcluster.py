"""A throwaway PostgreSQL cluster for the benchmarks (the PostGIS comparison of
``catalog_coverage``, ``bench.load``), started as ``.ci/run`` starts one: initdb
and pg_ctl as the ``postgres`` user (when run as root) in a temporary directory,
on a given port; stopped and removed on exit."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def latest_bin() -> Path | None:
    """The ``bin`` directory of the newest installed PostgreSQL, if any."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name),
    )
    return candidates[-1].parent if candidates else None


class ThrowAwayCluster:
    """``with ThrowAwayCluster(bin_dir, port=…) as cluster:`` (or ``start()`` and
    ``stop()``). ``settings`` are extra server settings (``-c name=value``);
    without them the server keeps its defaults (``fsync`` on)."""

    def __init__(
        self, bin_dir: Path, *, port: int, settings: tuple[str, ...] = ()
    ) -> None:
        self.bin_dir = bin_dir
        self.version = bin_dir.parent.name
        self.port = port
        self.settings = settings
        self.directory = Path(tempfile.mkdtemp(prefix="crig-bench-pg-"))

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(  # noqa: S603 - fixed binaries, arguments built here
            [*prefix, *command], check=True, capture_output=True, timeout=120
        )

    def psql(self, *arguments: str) -> None:
        self.run(
            str(self.bin_dir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            *arguments,
        )

    def start(self) -> "ThrowAwayCluster":
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = str(self.directory / "data")
        self.run(
            str(self.bin_dir / "initdb"),
            *("-D", data, "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C.UTF-8"),
        )
        options = " ".join(
            [
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1",
                *(f"-c {setting}" for setting in self.settings),
            ]
        )
        self.run(
            str(self.bin_dir / "pg_ctl"),
            *("-D", data, "-l", str(self.directory / "server.log")),
            *("-w", "-o", options, "start"),
        )
        return self

    def stop(self) -> None:
        try:
            self.run(
                str(self.bin_dir / "pg_ctl"),
                *("-D", str(self.directory / "data"), "-m", "fast", "stop"),
            )
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "ThrowAwayCluster":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
