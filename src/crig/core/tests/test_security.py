"""The security baseline: deployment checks, headers, cookies, password hashing,
login lockout and password-reset limits (docs/architecture/security.md)."""

import os
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

import crig
import crig.settings as production_settings
from crig.core.security import client_ip, rate_limit_hit
from crig.members.tests.factories import PASSWORD, UserFactory

PACKAGE_DIR = Path(crig.__file__).resolve().parent


@pytest.fixture(autouse=True)
def _empty_shared_cache(db):
    caches["shared"].clear()


# Deployment checks -----------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(settings, capsys):
    # The test settings are production ones (CRIG_DEBUG=false) but for a short key
    # and no HTTPS redirect.
    settings.SECRET_KEY = "k7#Vq9!mZ2@pL4$wR8%tY1^uE6&iO3*aS5(dF0)gH-jK_lX=cB+nM~" * 2
    settings.SECURE_SSL_REDIRECT = True

    call_command("check", "--deploy", fail_level="WARNING")

    assert "no issues" in capsys.readouterr().out


# Headers ---------------------------------------------------------------------------


def test_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("core:home"), secure=True)

    assert response.status_code == HTTPStatus.OK
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data: https://data.geopf.fr",
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert (
        response["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


def test_the_api_answers_with_the_policy_too(client, db):
    response = client.get("/api/v1/region")

    assert "script-src 'self'" in response["Content-Security-Policy"]


def _settings_value(expression: str, env_overrides: dict, tmp_path) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRIG_", "DJANGO_"))
    }
    env.update(
        {
            "CRIG_DEBUG": "false",
            "CRIG_SECRET_KEY": "x" * 60,
            "CRIG_VAR_DIR": str(tmp_path),
            **env_overrides,
        }
    )
    script = f"from django.conf import settings; print({expression})"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "crig", "shell", "--no-imports", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_images_allowed_from_the_configured_tile_and_media_hosts(tmp_path):
    value = _settings_value(
        "' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        {
            "CRIG_MAP_TILES_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
            "CRIG_MEDIA_URL": "https://media.example.org/crig/",
        },
        tmp_path,
    )

    assert value == (
        "'self' data: https://*.tile.openstreetmap.org https://media.example.org"
    )


def test_hsts_is_configurable(tmp_path):
    value = _settings_value(
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD",
        {"CRIG_HSTS_SECONDS": "600", "CRIG_HSTS_PRELOAD": "false"},
        tmp_path,
    )

    assert value == "600 False"


# No inline script ------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def _page_templates():
    for path in sorted(PACKAGE_DIR.glob("*/templates/**/*.html")):
        # E-mails are not served under the site's policy and carry no script.
        if "/email/" in path.as_posix() or "/newsletter/" in path.as_posix():
            continue
        yield path


def test_templates_have_no_inline_script_nor_handler():
    offenders = []
    for path in _page_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, SCRIPT_URL):
            offenders += [
                f"{path.relative_to(PACKAGE_DIR)}: {match.group(0)!r}"
                for match in pattern.finditer(text)
            ]

    assert offenders == []


def test_the_inline_script_detector_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js"></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="x">{}')
    assert INLINE_HANDLER.search('<button onclick="print()">')
    assert not INLINE_HANDLER.search('<button data-print class="button">')


# Cookies and CSRF ------------------------------------------------------------------


def test_session_cookie_after_login(client, member_user):
    response = client.post(
        reverse("members:login"), {"username": member_user.email, "password": PASSWORD}
    )

    assert response.status_code == HTTPStatus.FOUND
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 14 * 24 * 3600


def test_csrf_cookie_is_http_only(client, db):
    response = client.get(reverse("members:login"))

    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_language_cookie_is_secure_and_http_only(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_failure_is_a_page_of_the_site(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("members:login"), {"username": "a@example.org", "password": "x"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert [t.name for t in response.templates][:2] == [
        "core/csrf_failure.html",
        "base.html",
    ]


# Password hashing ------------------------------------------------------------------


def test_argon2_is_the_production_hasher():
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_an_older_hash_becomes_argon2_at_login(client, settings, db):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    person = UserFactory(email="ancien@example.org")
    person.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    person.save(update_fields=["password"])

    response = client.post(
        reverse("members:login"), {"username": person.email, "password": PASSWORD}
    )

    assert response.status_code == HTTPStatus.FOUND
    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$")


# Login lockout ---------------------------------------------------------------------


def _login(client, email, password, address="203.0.113.7", path=None):
    return client.post(
        path or reverse("members:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_login_locked_after_too_many_wrong_passwords(client, member_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, member_user.email, "faux").status_code == HTTPStatus.OK

    locked = _login(client, member_user.email, "faux")
    # Even the right password is refused now, with a page that says why.
    still_locked = _login(client, member_user.email, PASSWORD)

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert still_locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "members/auth/login_locked.html" in [t.name for t in still_locked.templates]
    assert "base.html" in [t.name for t in still_locked.templates]
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_address_whatever_its_case(client, member_user, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = member_user.email.upper() if attempt % 2 else member_user.email
        _login(client, email, "faux")

    response = _login(client, member_user.email, PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_lockout_is_per_address_and_client(client, member_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, member_user.email, "faux", address="203.0.113.7")

    # The same person from another connection still logs in: an attacker cannot
    # lock someone out of their account from elsewhere.
    response = _login(Client(), member_user.email, PASSWORD, address="198.51.100.4")

    assert response.status_code == HTTPStatus.FOUND


def test_a_successful_login_resets_the_count(client, member_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, member_user.email, "faux")
    assert _login(client, member_user.email, PASSWORD).status_code == HTTPStatus.FOUND
    client.post(reverse("members:logout"))

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, member_user.email, "faux")
    response = _login(client, member_user.email, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND


def test_the_admin_login_is_locked_too(client, admin_user, settings):
    path = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, admin_user.email, "faux", path=path)

    response = _login(client, admin_user.email, PASSWORD, path=path)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


# Password reset limits -------------------------------------------------------------


def _reset(client, email, address="203.0.113.7"):
    return client.post(
        reverse("members:password_reset"), {"email": email}, REMOTE_ADDR=address
    )


def test_password_reset_limited_per_email(client, member_user, settings, mailoutbox):
    limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    for attempt in range(limit):
        # Several connections: the limit follows the e-mail address.
        response = _reset(client, member_user.email, address=f"203.0.113.{attempt}")
        assert response.status_code == HTTPStatus.FOUND

    client.cookies["django_language"] = "en"  # the msgid; the lead adds the French
    refused = _reset(client, member_user.email.upper(), address="198.51.100.4")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused.context["form"].non_field_errors() == [
        "Too many password reset requests. Wait an hour before asking again; a link "
        "already received stays valid for three days."
    ]
    assert len(mailoutbox) == limit


def test_password_reset_limited_per_client(client, db, settings, mailoutbox):
    limit = settings.PASSWORD_RESET_LIMIT_PER_IP
    for attempt in range(limit):
        assert _reset(client, f"p{attempt}@example.org").status_code == HTTPStatus.FOUND

    refused = _reset(client, "another@example.org")
    elsewhere = _reset(client, "another@example.org", address="198.51.100.4")

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert elsewhere.status_code == HTTPStatus.FOUND


def test_password_reset_limit_applies_to_unknown_addresses(client, db, settings):
    # Otherwise the limit would tell which addresses have an account.
    for _attempt in range(settings.PASSWORD_RESET_LIMIT_PER_EMAIL):
        _reset(client, "nobody@example.org")

    assert _reset(client, "nobody@example.org").status_code == (
        HTTPStatus.TOO_MANY_REQUESTS
    )


def test_rate_limit_lets_through_when_its_table_is_missing(settings, db, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "crig_cache_not_created",
        },
    }

    hits = [rate_limit_hit(scope="test", key="k", limit=1, period=60) for _ in range(3)]

    assert hits == [False, False, False]
    assert "cache table" in caplog.text


# Client address --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "192.0.2.9", "10.0.0.1"),  # no proxy: the header is the client's word
        (1, "192.0.2.9", "192.0.2.9"),
        (1, "1.1.1.1, 192.0.2.9", "192.0.2.9"),  # left entry written by the client
        (2, "1.1.1.1, 192.0.2.9, 10.0.0.2", "192.0.2.9"),
        (2, "192.0.2.9", "10.0.0.1"),  # shorter than the chain: the socket
    ],
)
def test_client_ip(rf, settings, proxies, forwarded, expected):
    settings.CRIG_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
