"""REST API of needs and supports, heat map and exports, per role.

Roles: anonymous, a plain user (no organisation), ``member_user`` (member of
``organisation``, CD31, and author of ``need`` and ``draft_need``),
``other_member_user`` (member of ``other_organisation``, UM), ``referent_user``
(referent of CD31), the secretariat and an administrator. Drafts are seen by their
author and by administrators (superusers pass every permission, and
``needs_visible_to`` follows them).
"""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.urls import resolve
from openpyxl import load_workbook

from crig.needs.models import Need, NeedCommune, Support, Theme
from crig.needs.tests import factories

GEOJSON = "application/geo+json"
ROLES = [
    "anonymous",
    "plain_user",
    "member_user",
    "other_member_user",
    "referent_user",
    "secretariat_user",
    "admin_user",
]
DRAFT_READERS = ("member_user", "admin_user")
# Square over the centre of Toulouse (WGS84), inside the commune.
TOULOUSE_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[1.43, 43.59], [1.46, 43.59], [1.46, 43.61], [1.43, 43.61], [1.43, 43.59]]
    ],
}


def _as(client, request, role):
    """The client signed in as ``role`` (a fixture name), or anonymous."""
    if role == "anonymous":
        return None
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


def _csv(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def needs(need, draft_need):
    """``need`` (published, Toulouse, orthophoto) and ``draft_need`` (draft)."""
    return need, draft_need


# --- GET /needs ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_drafts_to_their_author_only(client, request, needs, role):
    need, draft = needs
    _as(client, request, role)

    response = client.get("/api/v1/needs")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    expected = {need.pk, draft.pk} if role in DRAFT_READERS else {need.pk}
    assert body["count"] == len(expected)
    assert {item["id"] for item in body["items"]} == expected


def test_list_item_fields(client, need):
    response = client.get("/api/v1/needs")

    item = response.json()["items"][0]
    assert item == {
        "id": need.pk,
        "title": "Orthophotographie 5 cm de Toulouse",
        "theme": {"code": "orthophotographie", "label": "Orthophotographie"},
        "state": {"code": "new", "label": "Nouveau"},
        "organisation": {
            "id": need.organisation.pk,
            "name": "Conseil départemental de la Haute-Garonne",
            "acronym": "CD31",
            "url": need.organisation.get_absolute_url(),
        },
        "supporters": 1,
        "territory_description": "Toulouse",
        "area_km2": need.area_km2,
        "population": need.population,
        "horizon": None,
        "submitted_at": item["submitted_at"],
        "bbox": [need.min_lon, need.min_lat, need.max_lon, need.max_lat],
        "url": f"/besoins/{need.pk}/",
    }
    assert item["population"] > 400_000


def test_list_filters_and_pages(client, territory, organisation, other_organisation):
    factories.NeedFactory(title="LIDAR HD des Pyrénées", theme=Theme.LIDAR)
    ortho = factories.NeedFactory(
        title="Ortho de Montpellier", organisation=other_organisation
    )
    factories.NeedFactory(title="Ortho de Toulouse", organisation=organisation)

    by_theme = client.get("/api/v1/needs", {"theme": "lidar"}).json()
    by_organisation = client.get(
        "/api/v1/needs", {"organisation": "universite-de-montpellier"}
    ).json()
    page = client.get("/api/v1/needs", {"limit": 1, "offset": 1}).json()

    assert [item["title"] for item in by_theme["items"]] == ["LIDAR HD des Pyrénées"]
    assert [item["id"] for item in by_organisation["items"]] == [ortho.pk]
    assert page["count"] == 3
    assert len(page["items"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "cadastre-napoleonien"},
        {"limit": 0},
        {"year": 1700},
        {"format": "ods"},
    ],
)
def test_list_refuses_bad_parameters_in_french(client, need, params):
    response = client.get("/api/v1/needs", params)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")


# --- GeoJSON of the list -------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "member_user", "other_member_user"])
def test_list_geojson_obeys_visibility(client, request, needs, role):
    need, draft = needs
    _as(client, request, role)

    response = client.get("/api/v1/needs", {"format": "geojson"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == GEOJSON
    body = json.loads(response.content)
    expected = {need.pk, draft.pk} if role in DRAFT_READERS else {need.pk}
    assert {feature["id"] for feature in body["features"]} == expected
    assert body["numberMatched"] == len(expected)


def test_list_geojson_feature_properties_and_style(client, need):
    body = json.loads(client.get("/api/v1/needs", {"format": "geojson"}).content)

    feature = body["features"][0]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"] == {
        "id": need.pk,
        "title": "Orthophotographie 5 cm de Toulouse",
        "name": "Orthophotographie 5 cm de Toulouse",
        "theme": "orthophotographie",
        "theme_label": "Orthophotographie",
        "state": "new",
        "state_label": "Nouveau",
        "organisation": "Conseil départemental de la Haute-Garonne",
        "supporters": 1,
        "url": f"/besoins/{need.pk}/",
        "style": {
            "color": "#1f77b4",
            "fillColor": "#1f77b4",
            "weight": 2,
            "fillOpacity": 0.25,
        },
    }


# --- Exports -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "member_user", "other_member_user"])
def test_csv_export_obeys_visibility(client, request, needs, role):
    need, draft = needs
    _as(client, request, role)

    response = client.get("/api/v1/needs", {"format": "csv"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="besoins-')
    ids = {int(row["Identifiant"]) for row in _csv(response)}
    assert ids == ({need.pk, draft.pk} if role in DRAFT_READERS else {need.pk})


def test_csv_export_row(client, need, other_organisation):
    factories.SupportFactory(need=need, organisation=other_organisation)

    rows = _csv(client.get("/api/v1/needs", {"format": "csv"}))

    assert len(rows) == 1
    row = rows[0]
    assert row["Titre"] == "Orthophotographie 5 cm de Toulouse"
    assert row["Thème"] == "Orthophotographie"
    assert row["État"] == "Nouveau"
    assert row["Organisation"] == "Conseil départemental de la Haute-Garonne"
    assert row["Organisations en soutien"] == "Université de Montpellier"
    assert row["Organisations derrière le besoin"] == "2"
    assert row["Codes INSEE"] == "31555"
    assert row["Adresse web"] == f"http://testserver/besoins/{need.pk}/"


def test_exports_neutralise_formulas(client, territory, organisation):
    factories.NeedFactory(
        title='=HYPERLINK("http://evil.example","clic")', organisation=organisation
    )

    rows = _csv(client.get("/api/v1/needs", {"format": "csv"}))
    sheet = _xlsx(client.get("/api/v1/needs", {"format": "xlsx"}))

    assert rows[0]["Titre"] == '\'=HYPERLINK("http://evil.example","clic")'
    title_column = sheet[0].index("Titre")
    assert sheet[1][title_column] == '\'=HYPERLINK("http://evil.example","clic")'


@pytest.mark.parametrize("role", ["anonymous", "member_user", "other_member_user"])
def test_xlsx_export_obeys_visibility_and_keeps_numbers(client, request, needs, role):
    need, draft = needs
    _as(client, request, role)

    response = client.get("/api/v1/needs", {"format": "xlsx"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = _xlsx(response)
    assert sheet[0][:3] == ["Identifiant", "Titre", "Thème"]
    ids = {row[0] for row in sheet[1:]}
    assert ids == ({need.pk, draft.pk} if role in DRAFT_READERS else {need.pk})
    population = sheet[0].index("Population")
    assert all(isinstance(row[population], int) for row in sheet[1:])


def test_exports_follow_the_filters(client, territory):
    factories.NeedFactory(title="LIDAR HD des Pyrénées", theme=Theme.LIDAR)
    factories.NeedFactory(title="Ortho", theme=Theme.ORTHOPHOTO)

    rows = _csv(client.get("/api/v1/needs", {"format": "csv", "theme": "lidar"}))

    assert [row["Titre"] for row in rows] == ["LIDAR HD des Pyrénées"]


# --- GET /needs/{id} -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_detail_of_a_draft_is_a_404_except_to_its_author(
    client, request, draft_need, role
):
    _as(client, request, role)

    response = client.get(f"/api/v1/needs/{draft_need.pk}")
    geojson = client.get(f"/api/v1/needs/{draft_need.pk}", {"format": "geojson"})

    expected = HTTPStatus.OK if role in DRAFT_READERS else HTTPStatus.NOT_FOUND
    assert response.status_code == expected
    assert geojson.status_code == expected
    if expected == HTTPStatus.NOT_FOUND:
        assert response.json() == {"message": response.json()["message"]}
        assert "Brouillon" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_contact", "may_change", "may_support"),
    [
        ("anonymous", False, False, False),
        ("plain_user", False, False, False),
        ("member_user", True, True, False),
        ("other_member_user", False, False, True),
        ("referent_user", True, True, False),
        ("secretariat_user", True, True, False),
        ("admin_user", True, True, False),
    ],
)
def test_detail_per_role(
    client, request, need, role, sees_contact, may_change, may_support
):
    _as(client, request, role)

    response = client.get(f"/api/v1/needs/{need.pk}")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["id"] == need.pk
    assert body["title"] == "Orthophotographie 5 cm de Toulouse"
    assert (body["contact"] is not None) is sees_contact
    if sees_contact:
        assert body["contact"] == {
            "full_name": "Marie Membre",
            "email": "member@example.org",
        }
    assert body["may"]["change"] is may_change
    assert body["may"]["support"] is may_support
    assert body["communes"] == [{"insee": "31555", "name": "Toulouse", "fraction": 1.0}]
    assert body["match"]["referentiel"] == "orthophotographie"
    assert body["geojson_url"] == f"/api/v1/needs/{need.pk}?format=geojson"


def test_detail_lists_supports_and_history(client, need, other_organisation):
    support = factories.SupportFactory(
        need=need,
        organisation=other_organisation,
        comment="Nous aussi, pour le campus.",
        cofunding_min=5000,
        cofunding_max=10000,
    )
    need.events.create(kind="state_changed", from_state="new", to_state="qualified")

    body = client.get(f"/api/v1/needs/{need.pk}").json()

    assert body["supporters"] == 2
    assert [s["id"] for s in body["supports"]] == [support.pk]
    assert body["supports"][0]["organisation"]["name"] == "Université de Montpellier"
    assert body["supports"][0]["comment"] == "Nous aussi, pour le campus."
    assert body["supports"][0]["cofunding_max"] == 10000
    assert body["supports"][0]["communes"] == ["31555"]
    assert [
        (e["kind"]["code"], e["kind"]["label"], e["to_state"]) for e in body["history"]
    ] == [("state_changed", "Changement d'état", "qualified")]


def test_detail_is_a_404_for_an_unknown_need(client, db):
    response = client.get("/api/v1/needs/999999")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_detail_geojson_has_need_consolidated_and_supports(
    client, need, other_organisation
):
    factories.SupportFactory(
        need=need, organisation=other_organisation, communes=["31069"]
    )
    Need.objects.filter(pk=need.pk).update(consolidated_outline=need.outline)

    response = client.get(f"/api/v1/needs/{need.pk}", {"format": "geojson"})

    assert response["Content-Type"] == GEOJSON
    features = json.loads(response.content)["features"]
    assert [f["properties"]["role"] for f in features] == [
        "consolidated",
        "support",
        "need",
    ]
    consolidated, support, own = features
    assert own["properties"]["name"] == "Orthophotographie 5 cm de Toulouse"
    assert own["properties"]["style"]["color"] == "#1f77b4"
    assert own["geometry"] == json.loads(need.outline)
    assert consolidated["properties"]["style"]["fill"] is False
    assert support["properties"]["name"] == "Soutenu par Université de Montpellier"
    assert support["properties"]["style"]["color"] == "#555555"


# --- Heat map ------------------------------------------------------------------------


@pytest.fixture
def heat(territory, need, draft_need, other_organisation):
    """Toulouse: ``need`` + one support; Montpellier: a published LIDAR need; the
    draft over Toulouse counts for nobody, not even its author."""
    factories.SupportFactory(need=need, organisation=other_organisation)
    lidar = factories.NeedFactory(
        title="LIDAR de Montpellier", theme=Theme.LIDAR, communes=["34172"]
    )
    return need, lidar


@pytest.mark.parametrize("role", ["anonymous", "other_member_user", "member_user"])
def test_heatmap_counts_published_needs_and_supports(client, request, heat, role):
    _as(client, request, role)

    body = client.get("/api/v1/needs/heatmap").json()

    assert {
        (item["insee"], item["name"], item["needs"], item["supports"])
        for item in body["items"]
    } == {("31555", "Toulouse", 1, 1), ("34172", "Montpellier", 1, 0)}
    assert body["count"] == 2
    assert body["legend"][0] == {"min": 1, "max": 1, "colour": "#ffffb2"}
    assert body["legend"][-1] == {"min": 8, "max": None, "colour": "#bd0026"}


def test_heatmap_by_theme(client, heat):
    body = client.get("/api/v1/needs/heatmap", {"theme": "lidar"}).json()

    assert [(i["insee"], i["needs"], i["colour"]) for i in body["items"]] == [
        ("34172", 1, "#ffffb2")
    ]
    assert body["theme"] == "lidar"


def test_heatmap_geojson(client, heat):
    response = client.get("/api/v1/needs/heatmap", {"format": "geojson"})

    assert response["Content-Type"] == GEOJSON
    body = json.loads(response.content)
    features = {f["properties"]["insee"]: f for f in body["features"]}
    toulouse = features["31555"]
    assert toulouse["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert toulouse["properties"] == {
        "insee": "31555",
        "name": "Toulouse — besoins : 1, soutiens : 1",
        "commune": "Toulouse",
        "needs": 1,
        "supports": 1,
        "url": "/territoire/communes/31555/",
        "style": {
            "fillColor": "#fecc5c",
            "fillOpacity": 0.7,
            "color": "#555555",
            "weight": 0.5,
        },
    }
    assert body["legend"][1] == {"min": 2, "max": 2, "colour": "#fecc5c"}


@pytest.mark.parametrize(
    ("path", "url_name"),
    [
        ("/api/v1/needs/heatmap", "needs_heatmap"),
        ("/api/v1/needs/scores", None),
        ("/api/v1/needs/weights", None),
        ("/api/v1/needs/12", "needs_detail"),
    ],
)
def test_named_paths_are_not_taken_for_a_need_id(path, url_name):
    match = resolve(path)

    if url_name is None:
        # Served by the priorities router, not by the need detail.
        assert match.url_name != "needs_detail"
    else:
        assert match.url_name == url_name


def test_heatmap_refuses_an_unknown_theme(client, db):
    response = client.get("/api/v1/needs/heatmap", {"theme": "x"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_scores_and_weights_answer_next_to_the_needs(client, need):
    assert client.get("/api/v1/needs/scores").status_code == HTTPStatus.OK
    assert client.get("/api/v1/needs/weights").status_code == HTTPStatus.OK


# --- POST /needs ---------------------------------------------------------------------


def _need_body(**overrides) -> dict:
    body = {
        "title": "PCRS de Blagnac",
        "description": "Un PCRS raster à 5 cm pour les travaux de voirie.",
        "theme": "pcrs",
        "precision": "classe A",
        "resolution_m": 0.05,
        "horizon": "2030-06-30",
        "cofunding_min": 10000,
        "cofunding_max": 20000,
        "territory": {"communes": ["31069"]},
    }
    body.update(overrides)
    return body


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_needs_a_signed_in_person(client, territory):
    response = _post(client, "/api/v1/needs", _need_body())

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"message": "Authentification requise."}
    assert not Need.objects.exists()


def test_create_refuses_a_person_without_organisation(client, territory, plain_user):
    client.force_login(plain_user)

    response = _post(client, "/api/v1/needs", _need_body())

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == (
        "Seuls les membres d'une organisation peuvent faire ceci, en son nom."
    )
    assert not Need.objects.exists()


def test_member_creates_a_draft(client, territory, member_user, organisation):
    client.force_login(member_user)

    response = _post(client, "/api/v1/needs", _need_body())

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    need = Need.objects.get()
    assert body["id"] == need.pk
    assert body["state"]["code"] == "draft"
    assert body["organisation"]["id"] == organisation.pk
    assert need.author == member_user
    assert need.theme == "pcrs"
    assert need.resolution_m == 0.05
    assert need.horizon.isoformat() == "2030-06-30"
    assert list(need.commune_links.values_list("commune_id", flat=True)) == ["31069"]
    # Still a draft: nobody else sees it.
    client.logout()
    assert client.get("/api/v1/needs").json()["count"] == 0


def test_member_creates_and_submits_a_drawn_need(client, territory, member_user):
    client.force_login(member_user)

    response = _post(
        client,
        "/api/v1/needs",
        _need_body(territory={"drawn": TOULOUSE_SQUARE}, submit=True),
    )

    assert response.status_code == HTTPStatus.CREATED
    need = Need.objects.get()
    assert need.state == Need.State.NEW
    assert set(need.commune_links.values_list("commune_id", flat=True)) == {"31555"}
    assert 0 < need.area_km2 < 10
    client.logout()
    assert client.get("/api/v1/needs").json()["count"] == 1


def test_referent_creates_in_the_name_of_the_organisation_with_a_contact(
    client, territory, referent_user, member_user, organisation
):
    client.force_login(referent_user)

    response = _post(
        client,
        "/api/v1/needs",
        _need_body(organisation=organisation.pk, contact="member@example.org"),
    )

    assert response.status_code == HTTPStatus.CREATED
    need = Need.objects.get()
    assert need.contact == member_user
    assert need.author == referent_user


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"territory": {"communes": ["99999"]}}, "communes"),
        ({"territory": {}}, None),
        ({"territory": None}, None),
        ({"horizon": "2020-01-01"}, "horizon"),
        ({"cofunding_min": 30000, "cofunding_max": 1000}, None),
        ({"contact": "plain@example.org"}, "contact"),
        ({"organisation": 999999}, "organisation"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(
    client, territory, member_user, plain_user, overrides, field
):
    client.force_login(member_user)

    response = _post(client, "/api/v1/needs", _need_body(**overrides))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["message"]
    assert body.get("field") == field or field is None
    assert not Need.objects.exists()
    assert not NeedCommune.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"theme": "astrologie"},
        {"title": "x" * 201},
        {"resolution_m": -1},
        {"horizon": "demain"},
    ],
)
def test_create_refuses_malformed_bodies_in_french(
    client, territory, member_user, overrides
):
    client.force_login(member_user)

    response = _post(client, "/api/v1/needs", _need_body(**overrides))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["message"].startswith("Requête invalide")
    assert not Need.objects.exists()


def test_create_in_another_organisations_name_is_refused(
    client, territory, member_user, other_organisation
):
    client.force_login(member_user)

    response = _post(
        client, "/api/v1/needs", _need_body(organisation=other_organisation.pk)
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Need.objects.exists()


def test_create_asks_which_organisation_when_several(
    client, territory, member_user, other_organisation
):
    from crig.members.tests.factories import MembershipFactory

    MembershipFactory(person=member_user, organisation=other_organisation)
    client.force_login(member_user)

    response = _post(client, "/api/v1/needs", _need_body())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "message": "Vous appartenez à plusieurs organisations : "
        "précisez au nom de laquelle.",
        "field": "organisation",
    }
    assert not Need.objects.exists()


# --- PATCH /needs/{id} ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", HTTPStatus.UNAUTHORIZED),
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.OK),
        ("other_member_user", HTTPStatus.FORBIDDEN),
        ("referent_user", HTTPStatus.OK),
        ("secretariat_user", HTTPStatus.OK),
    ],
)
def test_update_per_role(client, request, need, role, expected):
    _as(client, request, role)

    response = client.patch(
        f"/api/v1/needs/{need.pk}",
        json.dumps({"title": "Orthophotographie 5 cm de Toulouse et Blagnac"}),
        content_type="application/json",
    )

    assert response.status_code == expected
    need.refresh_from_db()
    changed = expected == HTTPStatus.OK
    assert (need.title == "Orthophotographie 5 cm de Toulouse et Blagnac") is changed
    if changed:
        assert response.json()["title"] == need.title
        # Fields left out keep their values.
        assert need.description == (
            "Une orthophotographie récente à 5 cm pour le suivi de la voirie."
        )


def test_update_of_someone_elses_draft_is_a_404(client, draft_need, referent_user):
    other = factories.NeedFactory(state=Need.State.DRAFT, submitted_at=None)
    client.force_login(referent_user)

    response = client.patch(
        f"/api/v1/needs/{other.pk}",
        json.dumps({"title": "Volé"}),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_update_replaces_the_territory(client, need, member_user):
    client.force_login(member_user)

    response = client.patch(
        f"/api/v1/needs/{need.pk}",
        json.dumps({"territory": {"communes": ["31069", "31555"]}}),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.OK
    assert set(need.commune_links.values_list("commune_id", flat=True)) == {
        "31069",
        "31555",
    }


def test_update_with_a_bad_territory_changes_nothing(client, need, member_user):
    client.force_login(member_user)

    response = client.patch(
        f"/api/v1/needs/{need.pk}",
        json.dumps({"title": "Autre", "territory": {"epcis": ["000000000"]}}),
        content_type="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    need.refresh_from_db()
    assert need.title == "Orthophotographie 5 cm de Toulouse"
    assert list(need.commune_links.values_list("commune_id", flat=True)) == ["31555"]


# --- Supports ------------------------------------------------------------------------


def test_supports_list(client, need, other_organisation):
    support = factories.SupportFactory(need=need, organisation=other_organisation)

    body = client.get(f"/api/v1/needs/{need.pk}/supports").json()

    assert body["count"] == 1
    assert body["items"][0]["id"] == support.pk
    assert body["items"][0]["organisation"]["acronym"] == "UM"


def test_supports_of_a_draft_are_a_404(client, draft_need, other_member_user):
    client.force_login(other_member_user)

    assert client.get(f"/api/v1/needs/{draft_need.pk}/supports").status_code == (
        HTTPStatus.NOT_FOUND
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", HTTPStatus.UNAUTHORIZED),
        ("plain_user", HTTPStatus.FORBIDDEN),
        ("member_user", HTTPStatus.FORBIDDEN),
        ("other_member_user", HTTPStatus.CREATED),
        ("referent_user", HTTPStatus.FORBIDDEN),
        ("secretariat_user", HTTPStatus.FORBIDDEN),
        ("admin_user", HTTPStatus.FORBIDDEN),
    ],
)
def test_support_per_role(client, request, need, role, expected):
    _as(client, request, role)

    response = _post(
        client,
        f"/api/v1/needs/{need.pk}/supports",
        {"comment": "Nous aussi.", "cofunding_min": 1000, "cofunding_max": 2000},
    )

    assert response.status_code == expected
    assert Support.objects.count() == (1 if expected == HTTPStatus.CREATED else 0)
    if expected == HTTPStatus.CREATED:
        body = response.json()
        assert body["organisation"]["name"] == "Université de Montpellier"
        assert body["comment"] == "Nous aussi."
        assert body["communes"] == ["31555"]
    else:
        assert response.json()["message"]


def test_support_with_its_own_territory(client, need, other_member_user):
    client.force_login(other_member_user)

    response = _post(
        client,
        f"/api/v1/needs/{need.pk}/supports",
        {"territory": {"communes": ["31069"]}},
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["communes"] == ["31069"]


def test_support_twice_is_refused(client, need, other_member_user):
    client.force_login(other_member_user)
    _post(client, f"/api/v1/needs/{need.pk}/supports", {})

    response = _post(client, f"/api/v1/needs/{need.pk}/supports", {})

    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.CONFLICT)
    assert Support.objects.count() == 1


def test_support_with_a_bad_territory_saves_nothing(client, need, other_member_user):
    client.force_login(other_member_user)

    response = _post(
        client,
        f"/api/v1/needs/{need.pk}/supports",
        {"territory": {"departements": ["99"]}},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Support.objects.exists()


def test_support_of_a_draft_is_a_404(client, draft_need, other_member_user):
    client.force_login(other_member_user)

    response = _post(client, f"/api/v1/needs/{draft_need.pk}/supports", {})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Support.objects.exists()


def test_map_outlines_are_simplified_once_per_process(monkeypatch):
    import shapely

    from crig.needs.api import needs as needs_api

    monkeypatch.setattr(needs_api, "_SIMPLIFIED", {})
    calls = []
    simplify = shapely.simplify

    def counted(shapes, *args, **kwargs):
        calls.append(len(shapes))
        return simplify(shapes, *args, **kwargs)

    monkeypatch.setattr(shapely, "simplify", counted)
    square = json.dumps(
        {"type": "Polygon", "coordinates": [[[1, 43], [1.5, 43], [1.5, 43.5], [1, 43]]]}
    )
    wiggly = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [[1, 43], [1.00001, 43.2], [1, 43.4], [1.4, 43.4], [1.4, 43], [1, 43]]
            ],
        }
    )

    first = needs_api.simplified([square, "", wiggly])
    again = needs_api.simplified([wiggly, square])

    assert calls == [2]  # the two outlines, once; the second call reuses them
    assert again == [first[2], first[0]]
    assert first[1] is None
    assert json.loads(first[2])["coordinates"] == [
        [[1.0, 43.0], [1.0, 43.4], [1.4, 43.4], [1.4, 43.0], [1.0, 43.0]]
    ]


def test_detail_lists_the_communes_without_loading_their_outlines(client, territory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    need = factories.NeedFactory(communes=["31555", "31069", "31003"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/needs/{need.pk}")

    assert [c["name"] for c in response.json()["communes"]] == [
        "Aigrefeuille",
        "Blagnac",
        "Toulouse",
    ]
    assert not [q for q in queries if '"territory_commune"."outline"' in q["sql"]]
