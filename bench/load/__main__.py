"""``python -m bench.load [--database sqlite|postgresql|both] [--users 50]
[--seconds 60]``: the load test (``make load``). See ``bench/load/__init__.py``."""

import argparse
import csv
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.load import (
    GUNICORN_KEEP_ALIVE,
    GUNICORN_THREADS,
    GUNICORN_TIMEOUT,
    GUNICORN_WORKERS,
    TARGET_P95_MS,
    THINK_TIME_SECONDS,
)
from bench.pgcluster import ThrowAwayCluster, latest_bin

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "load-results.json"
CACHE = ROOT / "var" / "bench"
#: Bump when the way the demo is loaded here changes.
LOAD_VERSION = 1
#: What the demo is made of: a change to one of these rebuilds the cached copy.
DEMO_SOURCES = [
    *sorted((ROOT / "src" / "crig").glob("*/demo.py")),
    ROOT / "src" / "crig" / "core" / "management" / "commands" / "demo.py",
    ROOT / "src" / "crig" / "catalog" / "generate.py",
]


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_environment(directory: Path, database_url: str) -> dict:
    """Production settings (``CRIG_DEBUG`` unset), minus what needs HTTPS: the
    test speaks plain HTTP on the loopback."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CRIG_")
    }
    environment.update(
        CRIG_VAR_DIR=str(directory),
        CRIG_DATABASE_URL=database_url,
        CRIG_SECRET_KEY="load-test-only-not-secret",  # noqa: S106
        CRIG_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CRIG_SITE_URL="http://127.0.0.1",
        CRIG_SECURE_SSL_REDIRECT="false",
        CRIG_SECURE_COOKIES="false",
        CRIG_BEHIND_HTTPS_PROXY="false",
        CRIG_HSTS_SECONDS="0",
        CRIG_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        CRIG_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="crig.settings",
        PYTHONPATH=str(ROOT),
    )
    return environment


def crig(environment: dict, *arguments: str, quiet: bool = True) -> None:
    subprocess.run(  # noqa: S603
        [str(BIN / "crig"), *arguments],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


# --- The demo ------------------------------------------------------------------------


def demo_cache() -> Path:
    """The loaded demo, kept for the next runs of the day: its dates are relative
    to today (the next annual day, news of the last year)."""
    import hashlib

    digest = hashlib.sha256()
    for source in DEMO_SOURCES:
        digest.update(source.read_bytes())
    day = datetime.now(UTC).date().isoformat()
    return CACHE / f"load-demo-v{LOAD_VERSION}-{day}-{digest.hexdigest()[:10]}.sqlite3"


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the WAL included)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def prepare_sqlite(environment: dict, directory: Path) -> dict:
    database = directory / "crig.sqlite3"
    cached = demo_cache()
    started = time.perf_counter()
    if cached.exists():
        sqlite_copy(cached, database)
        crig(environment, "migrate", "--noinput")
        return {
            "demo": f"cached copy {cached.name}",
            "seconds": round(time.perf_counter() - started, 1),
        }
    crig(environment, "migrate", "--noinput")
    crig(environment, "demo")
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    sqlite_copy(database, partial)
    partial.rename(cached)
    return {"demo": "loaded", "seconds": round(time.perf_counter() - started, 1)}


def prepare_postgresql(environment: dict) -> dict:
    started = time.perf_counter()
    crig(environment, "migrate", "--noinput")
    crig(environment, "demo")
    return {"demo": "loaded", "seconds": round(time.perf_counter() - started, 1)}


# --- A throwaway PostgreSQL cluster (as .ci/run starts one) --------------------------


def start_postgresql() -> tuple[ThrowAwayCluster, str]:
    """A throwaway cluster with the server's default settings (durable writes:
    ``fsync`` stays on), a ``crig`` role and database; its URL."""
    bin_dir = latest_bin()
    if bin_dir is None:
        raise SystemExit(
            "PostgreSQL is not installed (apt-get install postgresql), "
            "and CRIG_DATABASE_URL is not set."
        )
    cluster = ThrowAwayCluster(bin_dir, port=free_port()).start()
    cluster.psql(
        "-qc",
        "CREATE ROLE crig LOGIN PASSWORD 'crig' CREATEDB;",
        "-c",
        "CREATE DATABASE crig OWNER crig;",
    )
    return cluster, f"postgres://crig:crig@127.0.0.1:{cluster.port}/crig"


# --- Serving and loading -------------------------------------------------------------


def serve(environment: dict, directory: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "crig.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--threads",
            str(GUNICORN_THREADS),
            "--timeout",
            str(GUNICORN_TIMEOUT),
            "--keep-alive",
            str(GUNICORN_KEEP_ALIVE),
            "--error-logfile",
            str(directory / "gunicorn.log"),
        ],
        env=environment,
        cwd=directory,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn stopped (exit {server.returncode}): see "
                f"{directory / 'gunicorn.log'}"
            )
        try:
            with urllib.request.urlopen(  # noqa: S310
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 90 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def warm_up(port: int, targets: dict) -> None:
    """One request to each kind of page per worker, so that the figures measure a
    running site, not the first import of each module."""
    paths = ["/", "/catalogue/", "/besoins/", "/actualites/", "/evenements/"]
    for _ in range(GUNICORN_WORKERS):
        for path in paths:
            try:
                urllib.request.urlopen(  # noqa: S310
                    f"http://127.0.0.1:{port}{path}", timeout=30
                ).read()
            except OSError:
                pass


def run_locust(
    environment: dict, directory: Path, port: int, *, users: int, seconds: int
) -> None:
    spawn_rate = max(1, users // 5)
    subprocess.run(  # noqa: S603
        [
            str(BIN / "locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(directory / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        env={**environment, "CRIG_LOAD_TARGETS": str(directory / "targets.json")},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _number(text: str) -> float | None:
    try:
        return round(float(text), 1)
    except (TypeError, ValueError):
        return None


def read_figures(directory: Path) -> dict:
    endpoints, overall = [], {}
    with open(directory / "locust_stats.csv", encoding="utf-8") as stats:  # noqa: PTH123
        for row in csv.DictReader(stats):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_second": _number(row["Requests/s"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": _number(row["Max Response Time"]),
                "average_bytes": int(float(row["Average Content Size"] or 0)),
            }
            if row["Name"] == "Aggregated":
                overall = figures
            else:
                endpoints.append({"endpoint": row["Name"], **figures})
    errors = []
    with open(directory / "locust_failures.csv", encoding="utf-8") as failures:  # noqa: PTH123
        for row in csv.DictReader(failures):
            errors.append(
                {
                    "endpoint": row["Name"],
                    "error": row["Error"],
                    "occurrences": int(row["Occurrences"]),
                }
            )
    endpoints.sort(key=lambda entry: -(entry["p95_ms"] or 0))
    return {"overall": overall, "endpoints": endpoints, "errors": errors}


def run_one(database: str, *, users: int, seconds: int, keep: bool = False) -> dict:
    directory = Path(tempfile.mkdtemp(prefix=f"crig-load-{database}-"))
    cluster = None
    server = None
    try:
        if database == "sqlite":
            url = f"sqlite:///{(directory / 'crig.sqlite3').as_posix()}"
        elif os.environ.get("CRIG_DATABASE_URL", "").startswith("postgres"):
            url = os.environ["CRIG_DATABASE_URL"]
        else:
            cluster, url = start_postgresql()
            log(f"PostgreSQL {cluster.version} started on port {cluster.port}")
        environment = base_environment(directory, url)
        log(f"{database}: migrating and loading the demo")
        if database == "sqlite":
            prepared = prepare_sqlite(environment, directory)
        else:
            prepared = prepare_postgresql(environment)
        crig(environment, "collectstatic", "--noinput")
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.load.targets", directory / "targets.json"],
            env=environment,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        targets = json.loads((directory / "targets.json").read_text(encoding="utf-8"))
        port = free_port()
        server = serve(environment, directory, port)
        warm_up(port, targets)
        load_average = [round(value, 2) for value in os.getloadavg()]
        log(f"{database}: {users} users for {seconds} s (load average {load_average})")
        run_locust(environment, directory, port, users=users, seconds=seconds)
        result = {
            "database": "SQLite" if database == "sqlite" else f"PostgreSQL {_pg(url)}",
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "users": users,
            "seconds": seconds,
            "gunicorn": {
                "workers": GUNICORN_WORKERS,
                "threads": GUNICORN_THREADS,
                "timeout": GUNICORN_TIMEOUT,
                "keep_alive": GUNICORN_KEEP_ALIVE,
            },
            "preparation": prepared,
            "load_average_1_5_15_min_at_start": load_average,
            **read_figures(directory),
        }
        stop(server)
        server = None
        return result
    finally:
        if server is not None:
            stop(server)
        if cluster is not None:
            cluster.stop()
        if keep:
            log(f"{database}: kept {directory} (gunicorn.log, locust_*.csv)")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def _pg(url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as c:
            return c.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:  # noqa: BLE001
        return ""


def summary(name: str, result: dict) -> str:
    overall = result["overall"]
    verdict = (
        "target met"
        if overall["failures"] == 0 and (overall["p95_ms"] or 0) < TARGET_P95_MS
        else "TARGET MISSED"
    )
    lines = [
        f"{result['database']}: {overall['requests']} requests, "
        f"{overall['requests_per_second']} req/s, p50 {overall['p50_ms']} ms, "
        f"p95 {overall['p95_ms']} ms, p99 {overall['p99_ms']} ms, "
        f"{overall['failures']} errors — {verdict} "
        f"(0 errors, p95 < {TARGET_P95_MS} ms)",
        f"  {'endpoint':<52} {'req':>5} {'err':>4} {'p50':>6} {'p95':>6} {'p99':>6}",
    ]
    for entry in result["endpoints"]:
        lines.append(
            f"  {entry['endpoint'][:52]:<52} {entry['requests']:>5} "
            f"{entry['failures']:>4} {entry['p50_ms'] or 0:>6.0f} "
            f"{entry['p95_ms'] or 0:>6.0f} {entry['p99_ms'] or 0:>6.0f}"
        )
    for error in result["errors"]:
        lines.append(
            f"  error ×{error['occurrences']}: {error['endpoint']}: {error['error']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the throwaway directory (logs, locust's CSV files)",
    )
    options = parser.parse_args(argv)
    databases = (
        ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    )
    results = {}
    for database in databases:
        results[database] = run_one(
            database, users=options.users, seconds=options.seconds, keep=options.keep
        )
    header = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
        "think_time_seconds": list(THINK_TIME_SECONDS),
        "target": {"errors": 0, "p95_ms_below": TARGET_P95_MS},
    }
    if RESULTS.exists():
        # Keep the other database's figures when only one is run.
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        results = {
            **{k: previous[k] for k in ("sqlite", "postgresql") if k in previous},
            **results,
        }
    RESULTS.write_text(
        json.dumps({**header, **results}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print("\n\n".join(summary(name, results[name]) for name in databases))
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
