"""How the permission matrix turns an entry into a request, and a response into
the answer ``matrix.py`` speaks of (a status, ``LOGIN``, ``ADMIN_LOGIN`` or
``REDIRECT``), noting every write the database received meanwhile."""

import json
import re
from contextlib import contextmanager

from django.db import connection
from django.urls import reverse

from tests.security import matrix
from tests.security.routes import Route

# Writes a refused request may make: the session, and django-axes' login records.
HARMLESS_WRITES = ("django_session", "axes_")
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def fill(value, world):
    """A URL keyword's value: a literal, or an ``Obj`` path read in the world."""
    if not isinstance(value, matrix.Obj):
        return value
    head, *rest = value.path.split(".")
    if head == "users":
        current, rest = world.users[rest[0]], rest[1:]
    else:
        current = world.objects[head]
    for attribute in rest:
        current = getattr(current, attribute)
    return str(current)


def entry_url(key: str, entry: matrix.Entry, world) -> tuple[str, str]:
    """(method, URL) of a page entry or an API operation entry."""
    kwargs = {name: fill(value, world) for name, value in entry.kwargs.items()}
    if key in matrix.API:
        method, path = key.split(" ", 1)
        url = path.format(**kwargs)
    else:
        method = entry.method
        url = entry.at or reverse(key, kwargs=kwargs)
    if entry.query:
        url = f"{url}?{entry.query}"
    return method, url


def admin_url(route: Route, object_pk) -> str:
    """An admin model URL, with the world's object where it takes one."""
    if route.name is None:  # the object shortcut, <path:object_id>/
        return "/" + route.pattern.replace("<path:object_id>", str(object_pk))
    if "<id>" in route.pattern:
        return reverse(route.name, kwargs={"id": object_pk})
    if "object_id" in route.pattern:
        return reverse(route.name, kwargs={"object_id": object_pk})
    return reverse(route.name)


def admin_family(route: Route, model) -> str:
    """``changelist``, ``add``, ``change``, ``delete``, ``history``, ``object``
    (the shortcut to the change page) or, for an extra URL of the model's admin,
    its name without ``admin:`` (``auth_user_password_change``)."""
    if route.name is None:
        return "object"
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
    if route.name.startswith(prefix):
        return route.name[len(prefix) :]
    return route.name.removeprefix("admin:")


@contextmanager
def writes_recorded():
    """Yields the list of tables written to while the block runs."""
    tables: list[str] = []

    def record(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and not match.group(2).startswith(HARMLESS_WRITES):
            tables.append(match.group(2))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield tables


def send(client, method: str, url: str, *, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(
            method, url, data=json.dumps({}), content_type="application/json"
        )
    if method == "POST":
        return client.post(url, {})
    return client.generic(method, url)


def answer(response):
    """What ``matrix.py`` calls the response: a status, or a kind of redirect."""
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        if location.startswith(reverse("members:login") + "?"):
            return matrix.LOGIN
        if location.startswith(reverse("admin:login") + "?"):
            return matrix.ADMIN_LOGIN
        return matrix.REDIRECT
    return response.status_code
