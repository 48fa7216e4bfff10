"""Every route the project serves, read from the URL configuration and the OpenAPI
schema, so that the permission matrix can tell when one is added or removed.

Three families, each keyed the way ``matrix.py`` writes its entries:

- pages: every pattern of ``django.urls.get_resolver()`` walked recursively, keyed by
  its namespaced name (``"needs:detail"``), or ``"<namespace>:<pattern>"`` when the
  pattern has no name (the admin's catch-all, its object shortcuts);
- API operations: every (method, path) of ``crig.api.api.get_openapi_schema()``,
  keyed ``"GET /api/v1/needs/{need_id}"``. The resolver holds one pattern per API
  path (several methods share it); the schema is the source of the operations, so
  an ``api:`` pattern whose path is in the schema is covered by its operations, and
  only the others (the schema and docs pages, the root) are pages;
- admin models: one key per model registered in ``admin.site``
  (``"admin:members.organisation"``), which covers the six URL families Django
  generates for it (changelist, add, change, delete, history and the object
  shortcut) plus any extra URL its ``ModelAdmin`` adds (``"admin:members.user"``
  also covers the password form), all resolved under the model's URL prefix.
"""

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"
ADMIN_FAMILIES = ("changelist", "add", "change", "delete", "history", "object")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its key in the matrix, its name for ``reverse`` (or
    ``None``), and the pattern string (regex parts kept as Django shows them)."""

    key: str
    name: str | None
    pattern: str


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = (
                    f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                )
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Route(key=name, name=name, pattern=pattern)
            else:
                yield Route(key=f"{namespace}:{pattern}", name=None, pattern=pattern)


def url_patterns() -> list[Route]:
    """Every pattern of the URL configuration, in resolution order."""
    return list(_walk(get_resolver()))


def _schema_path(pattern: str) -> str:
    """``api/v1/needs/<int:need_id>`` → ``/api/v1/needs/{need_id}``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def api_operations() -> list[str]:
    """Every operation of the OpenAPI schema, as ``"METHOD /path"``."""
    from crig.api import api

    schema = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def admin_models() -> dict[str, type]:
    """``"admin:<app_label>.<model_name>"`` → model, for every registered model."""
    return {f"admin:{model._meta.label_lower}": model for model in admin.site._registry}


def _admin_model_of(route: Route, models: dict[str, type]) -> str | None:
    """The admin model key whose URL prefix this admin pattern is under."""
    for key, model in models.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.pattern.startswith(prefix):
            return key
    return None


def page_routes() -> list[Route]:
    """The patterns the matrix lists one by one: every pattern but the API's
    operations and the admin's per-model URLs."""
    operation_paths = {key.split(" ", 1)[1] for key in api_operations()}
    models = admin_models()
    pages = []
    for route in url_patterns():
        if route.key.startswith("api:") and _schema_path(route.pattern) in (
            operation_paths
        ):
            continue
        if route.key.startswith("admin:") and _admin_model_of(route, models):
            continue
        pages.append(route)
    return pages


def admin_model_routes() -> dict[str, list[Route]]:
    """Admin model key → the URL patterns under that model's prefix."""
    models = admin_models()
    routes: dict[str, list[Route]] = {key: [] for key in models}
    for route in url_patterns():
        if route.key.startswith("admin:"):
            key = _admin_model_of(route, models)
            if key:
                routes[key].append(route)
    return routes


def all_keys() -> set[str]:
    """Every key the matrix must hold an entry for."""
    return (
        {route.key for route in page_routes()}
        | set(api_operations())
        | set(admin_models())
    )
