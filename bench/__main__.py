"""Run every benchmark module, print the figures and write ``bench/results.json``.

Each module is a ``bench.<name>`` exposing ``run() -> dict``; ``python -m bench NAME…``
runs only those and updates their entries of ``results.json``, keeping the others.
The Django settings
are prepared here, before any module imports Django: a throw-away SQLite database
in a temporary directory, debug settings, no production secret needed.
"""

import importlib
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

MODULES = ["territory", "catalog_harvest", "catalog_search", "catalog_coverage"]
RESULTS = Path(__file__).resolve().parent / "results.json"


def configure_django(directory: Path) -> None:
    database = (directory / "bench.sqlite3").as_posix()
    os.environ["CRIG_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CRIG_DEBUG"] = "1"
    os.environ["CRIG_SECRET_KEY"] = "bench-only-not-secret"  # noqa: S105
    os.environ["CRIG_VAR_DIR"] = str(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = "crig.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(names: list[str]) -> None:
    results = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU",
    }
    with tempfile.TemporaryDirectory(prefix="crig-bench-") as directory:
        configure_django(Path(directory))
        for name in names or MODULES:
            module = importlib.import_module(f"bench.{name}")
            results[name] = module.run()
    if names and RESULTS.exists():
        # Read now, not at the start, to keep what another run wrote meanwhile.
        results = {**json.loads(RESULTS.read_text(encoding="utf-8")), **results}
    text = json.dumps(results, indent=2, ensure_ascii=False)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
