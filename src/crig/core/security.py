"""Request-level security shared by the modules: the client's address, a rate
limit counted in the cache every application server shares, and the page shown
when a form's CSRF check fails. docs/architecture/security.md says why."""

import hashlib
import logging
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.shortcuts import render

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The address of the client, as the closest trusted proxy saw it.

    With ``CRIG_TRUSTED_PROXY_COUNT`` = N, the N-th address from the right of
    X-Forwarded-For (each proxy appends the address it received from); the entries
    to its left were written by the client and are ignored. Without a proxy, or when
    the header is shorter than expected, the socket's address.
    """
    count = settings.CRIG_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if count > 0 and len(addresses) >= count:
        return addresses[-count]
    return request.META.get("REMOTE_ADDR", "")


def login_username(request, credentials) -> str:
    """The login name as the lockout counts it: the e-mail address typed, in lower
    case, so that "Lea@Example.org" and "lea@example.org" share one counter."""
    credentials = credentials or {}
    username = credentials.get("username") or request.POST.get("username", "")
    return username.strip().lower()


def rate_limit_hit(*, scope: str, key: str, limit: int, period: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; True when it goes over ``limit``
    within ``period`` seconds (a fixed window that starts at the first attempt).

    The counter lives in the ``shared`` cache, so every application server sees
    the same count; keys are hashed, so no address or e-mail is stored in clear.
    Should the cache fail (its table missing), the attempt is let through and the
    failure logged: the limit protects the form, it must not break it.
    """
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    cache_key = f"ratelimit:{scope}:{digest}"
    cache = caches["shared"]
    try:
        cache.add(cache_key, 0, timeout=period)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=period)
            count = 1
    except DatabaseError:
        logger.exception(
            "Rate limit %s not counted: is the cache table created?", scope
        )
        return False
    return count > limit


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW: a page in the site's layout that says what to
    do, instead of Django's bare English page."""
    return render(
        request,
        "core/csrf_failure.html",
        {"reason": reason},
        status=HTTPStatus.FORBIDDEN,
    )
