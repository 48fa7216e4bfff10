"""Fixtures shared by the hostile-input corpus.

Every case of the corpus checks the same three things: no server error, a clear
message, and nothing half-saved. ``nothing_saved`` snapshots the row counts of
the models a case may touch and the files under ``MEDIA_ROOT`` before the case,
and compares them after it.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def _model(label: str):
    return apps.get_model(label)


def row_counts(labels: Iterable[str]) -> dict[str, int]:
    return {label: _model(label)._default_manager.count() for label in labels}


class NothingSaved:
    """``with nothing_saved("needs.Need", "needs.NeedAttachment"): …`` fails if a
    row of those models or a file under MEDIA_ROOT appeared or went away."""

    def __call__(self, *labels: str):
        return _Snapshot(labels)


class _Snapshot:
    def __init__(self, labels):
        self.labels = labels

    def __enter__(self):
        self.counts = row_counts(self.labels)
        self.files = media_files()
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            return False
        assert row_counts(self.labels) == self.counts, "rows were saved or removed"
        assert media_files() == self.files, "files were left in MEDIA_ROOT"
        return False


@pytest.fixture
def nothing_saved() -> Callable:
    return NothingSaved()


@pytest.fixture
def english(client):
    """Pages in English, so that messages are compared with their msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


class Listener:
    """A local HTTP server that records every request it receives. ``answers``
    maps a path to (content type, body); other paths answer an entity
    declaration. An external entity, DTD or link pointing at it must never be
    fetched: hostile documents point at paths under ``/evil/``."""

    def __init__(self, url: str):
        self.url = url
        self.requests: list[str] = []
        self.answers: dict[str, tuple[str, bytes]] = {}

    @property
    def evil_requests(self) -> list[str]:
        return [path for path in self.requests if path.startswith("/evil/")]


@pytest.fixture
def listener():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    found = Listener("")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self):
            found.requests.append(self.path)
            content_type, body = found.answers.get(
                self.path, ("application/xml", b'<!ENTITY leak "followed">')
            )
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            self._answer()

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield found
    server.shutdown()
    server.server_close()
    thread.join(5)
