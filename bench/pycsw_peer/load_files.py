"""pycsw's own load of a folder of ISO 19139 files (``admin.load_records``), timed.

Usage (pycsw virtualenv): load_files.py DIR DATABASE → JSON {"seconds", "loaded"}.
"""

import json
import logging
import sys
import time

from pycsw.core import admin, config

logging.disable(logging.CRITICAL)


def main(directory: str, database: str) -> None:
    url = f"sqlite:///{database}"
    admin.setup_db(url, "records", "/tmp")  # noqa: S108 (pycsw's home argument)
    context = config.StaticContext()
    started = time.perf_counter()
    loaded = admin.load_records(context, url, "records", directory)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "loaded": len(loaded)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
