"""A harvest source for the fault tests: a local HTTP server in a thread, on a
real socket, serving the bundled samples, that can die in mid-page, stall or
answer anything."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "src/crig/catalog/samples"
CAPABILITIES = (SAMPLES / "csw/pycsw_apiso-inspire_GetCapabilities.xml").read_bytes()
CSW_PAGES = {
    1: (SAMPLES / "csw/udata_geonetwork-iso19139-page-1.xml").read_bytes(),
    3: (SAMPLES / "csw/udata_geonetwork-iso19139-page-3.xml").read_bytes(),
    5: (SAMPLES / "csw/udata_geonetwork-iso19139-page-5.xml").read_bytes(),
}
CAPABILITIES_PATH = "/csw?service=CSW&version=2.0.2&request=GetCapabilities"
BINARY = bytes(range(256)) * 64


class Answer:
    """What the server does for one request: ``status`` and ``body``; ``cut``
    sends that many bytes of the body (the Content-Length announcing all of it)
    then closes the connection; ``delay`` sleeps before answering."""

    def __init__(self, body, *, status=200, content_type=None, cut=None, delay=0):
        self.body, self.status, self.cut, self.delay = body, status, cut, delay
        self.content_type = content_type or (
            "application/xml" if body[:1] == b"<" else "application/ld+json"
        )


class Source:
    def __init__(self):
        self.answers: dict[tuple, Answer] = {}
        self.url = ""


class Handler(BaseHTTPRequestHandler):
    source: Source

    def log_message(self, *args):
        pass

    def _answer(self, key):
        answer = self.source.answers.get(key) or Answer(b"not found", status=404)
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        try:
            if answer.cut is None:
                self.wfile.write(answer.body)
            else:
                self.wfile.write(answer.body[: answer.cut])
                self.wfile.flush()
                # Dies in mid-page: the peer sees the connection close.
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
        except OSError:
            pass

    def do_GET(self):  # noqa: N802
        self._answer(("GET", self.path))

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        marker = b'startPosition="'
        start = int(body.split(marker)[1].split(b'"')[0]) if marker in body else 1
        self._answer(("POST", start))


@pytest.fixture
def server():
    source = Source()
    handler = type("BoundHandler", (Handler,), {"source": source})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    source.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield source
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def serve_csw(server, pages=None):
    """The bundled three-page GeoNetwork answer (``pages`` replaces bodies)."""
    server.answers[("GET", CAPABILITIES_PATH)] = Answer(CAPABILITIES)
    for start, body in (pages or CSW_PAGES).items():
        server.answers[("POST", start)] = Answer(body)
