"""HTTP reads with a timeout and a size cap, standard library only.

``timeout`` bounds both each socket operation and the whole transfer (a server
dripping one byte a second is cut at the deadline); ``max_bytes`` bounds what is
kept in memory. Only http and https URLs are fetched.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.utils.translation import gettext as _

from crig.catalog.harvesting.errors import (
    HarvestResponseTooLarge,
    HarvestSourceHttpError,
    HarvestSourceTimeout,
    HarvestSourceUnreachable,
)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
USER_AGENT = "crig-harvester/1.0 (+https://github.com/crig)"
_CHUNK = 64 * 1024


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_NoRedirectToOtherSchemes())


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int = DEFAULT_MAX_BYTES,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """GET (or POST ``data``) ``url``; the body, or a ``HarvestSourceError``."""
    if not url.lower().startswith(("http://", "https://")):
        raise HarvestSourceUnreachable(
            _("Only http and https URLs are harvested: %(url)s") % {"url": url}
        )
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=data,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        method="POST" if data is not None else "GET",
    )
    deadline = time.monotonic() + timeout
    try:
        with _opener.open(request, timeout=timeout) as answer:
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise HarvestSourceTimeout(
                        _("%(url)s did not answer within %(seconds)s s.")
                        % {"url": url, "seconds": f"{timeout:g}"}
                    )
                chunk = answer.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise HarvestResponseTooLarge(
                        _("The answer of %(url)s is larger than %(limit)d bytes.")
                        % {"url": url, "limit": max_bytes}
                    )
                chunks.append(chunk)
            # http.client ends a body cut short by a closed connection as if it
            # were complete; a page cut at a line end can still parse (Turtle,
            # N-Triples) and would pass for a smaller catalogue.
            announced = answer.headers.get("Content-Length", "")
            if announced.isdigit() and size < int(announced):
                raise HarvestSourceUnreachable(
                    _(
                        "%(url)s closed the connection after %(received)d of "
                        "%(announced)s bytes."
                    )
                    % {"url": url, "received": size, "announced": announced}
                )
            return Response(
                url=answer.geturl(),
                status=answer.status,
                content_type=answer.headers.get("Content-Type", ""),
                body=b"".join(chunks),
            )
    except urllib.error.HTTPError as exc:
        raise HarvestSourceHttpError(
            _("%(url)s answered HTTP %(status)d.") % {"url": url, "status": exc.code}
        ) from exc
    except TimeoutError as exc:
        raise HarvestSourceTimeout(
            _("%(url)s did not answer within %(seconds)s s.")
            % {"url": url, "seconds": f"{timeout:g}"}
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise HarvestSourceTimeout(
                _("%(url)s did not answer within %(seconds)s s.")
                % {"url": url, "seconds": f"{timeout:g}"}
            ) from exc
        raise HarvestSourceUnreachable(
            _("%(url)s cannot be reached: %(reason)s")
            % {"url": url, "reason": exc.reason}
        ) from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:  # reset, truncated
        raise HarvestSourceUnreachable(
            _("%(url)s cannot be read: %(reason)s") % {"url": url, "reason": exc}
        ) from exc
