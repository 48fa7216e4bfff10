"""Export of every public piece of the platform's data in open formats.

``opendata_export(destination=…)`` writes into a directory:

- CSV (UTF-8 with a byte-order mark, RFC 4180, formula cells neutralised: see
  ``core.exports``) for every table, and GeoJSON (RFC 7946, WGS84) for every table
  with a geometry, the stored outlines spliced in as they are;
- ``catalogue.ttl``: the DCAT-AP catalogue (``catalog.standards.dcat``);
- ``datapackage.json``: a Frictionless Data Package descriptor listing every file
  with its format, licence and, for the CSV, its fields; and a ``README.md``.

What is public is decided by each module's own public selectors, called with an
anonymous person — exactly what a visitor of the site sees, never more:
``datasets_published_to``, the territory selectors, ``organisations_search`` (the
directory holds no e-mail address), ``needs_visible_to`` (no drafts; no author or
contact), ``register_list`` (the latest published opinion of each published
request, with the request's public part only), ``plans_visible_to`` and
``plan_actions``, ``events_visible_to`` and ``meetings_visible_to`` (the meetings'
minutes and documents are left to the site, whose rules depend on each item), and
``news_public_feed`` (public audience, published, date reached).

Licences: the platform's own data under Licence Ouverte 2.0 (Etalab); the
territory keeps its sources' (INSEE COG, BANATIC, IGN ADMIN EXPRESS: Licence
Ouverte, credited as ``territory/data/ATTRIBUTION.md`` asks); each catalogue
record names its dataset's own licence in its ``licence`` column.
"""

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from crig.core.exports import csv_bytes

LICENCE_OUVERTE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
TERRITORY_SOURCES = [
    {
        "title": "INSEE, Code officiel géographique 2024; INSEE, populations légales",
        "path": "https://www.insee.fr/fr/information/7766585",
    },
    {"title": "DGCL, BANATIC", "path": "https://www.banatic.interieur.gouv.fr/"},
    {
        "title": "IGN, ADMIN EXPRESS COG 2018 (via gregoiredavid/france-geojson)",
        "path": "https://github.com/gregoiredavid/france-geojson",
    },
    {
        "title": "Etalab, @etalab/decoupage-administratif 4.0.0",
        "path": "https://github.com/etalab/decoupage-administratif",
    },
]
TERRITORY_CREDIT = (
    "INSEE, Code officiel géographique 2024 ; BANATIC (DGCL) ; IGN, ADMIN EXPRESS "
    "COG 2018 (via gregoiredavid/france-geojson) ; mis en forme par Etalab "
    "(@etalab/decoupage-administratif)"
)


@dataclass
class OpendataReport:
    directory: Path
    created_at: datetime.datetime
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Table:
    """One exported table: its CSV columns and, if spatial, its GeoJSON."""

    name: str
    title: str
    description: str
    columns: Sequence[tuple[str, str]]  # (name, Table Schema type)
    rows: list[list]
    # (id, outline GeoJSON text or None, properties) per feature
    features: list[tuple] | None = None
    territory: bool = False


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def _url(obj) -> str:
    try:
        return _absolute(obj.get_absolute_url())
    except (AttributeError, NoReverseMatch):
        return ""


def _bbox(obj) -> list | None:
    values = [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]
    return None if any(value is None for value in values) else values


# --- what is exported ---------------------------------------------------------


def _territory_tables() -> list[_Table]:
    from crig.territory import selectors

    communes = (
        selectors.communes().select_related("departement", "epci").order_by("insee")
    )
    commune_rows, commune_features = [], []
    for commune in communes.iterator(chunk_size=500):
        row = [
            commune.insee,
            commune.name,
            commune.departement_id,
            commune.epci_id or "",
            commune.postcodes,
            commune.population,
            commune.area_km2,
            commune.label_lon,
            commune.label_lat,
        ]
        commune_rows.append(row)
        commune_features.append(
            (
                commune.insee,
                commune.outline,
                {
                    "insee": commune.insee,
                    "name": commune.name,
                    "departement": commune.departement_id,
                    "epci": commune.epci_id or None,
                    "population": commune.population,
                },
            )
        )
    epci_rows, epci_features = [], []
    for epci in selectors.epcis().order_by("siren"):
        epci_rows.append(
            [
                epci.siren,
                epci.name,
                epci.kind,
                epci.financing,
                epci.population,
                epci.area_km2,
                epci.outside_member_codes,
            ]
        )
        epci_features.append(
            (epci.siren, epci.outline, {"siren": epci.siren, "name": epci.name})
        )
    dep_rows, dep_features = [], []
    for departement in selectors.departements().order_by("code"):
        dep_rows.append(
            [
                departement.code,
                departement.name,
                departement.chef_lieu,
                departement.population,
                departement.area_km2,
            ]
        )
        dep_features.append(
            (
                departement.code,
                departement.outline,
                {"code": departement.code, "name": departement.name},
            )
        )
    return [
        _Table(
            "communes",
            "Communes",
            "Les communes de la région (COG 2024), avec leur contour simplifié.",
            [
                ("insee", "string"),
                ("nom", "string"),
                ("departement", "string"),
                ("epci_siren", "string"),
                ("codes_postaux", "string"),
                ("population", "integer"),
                ("surface_km2", "number"),
                ("etiquette_lon", "number"),
                ("etiquette_lat", "number"),
            ],
            commune_rows,
            commune_features,
            territory=True,
        ),
        _Table(
            "epci",
            "EPCI",
            "Les EPCI à fiscalité propre ayant des membres dans la région.",
            [
                ("siren", "string"),
                ("nom", "string"),
                ("nature", "string"),
                ("fiscalite", "string"),
                ("population", "integer"),
                ("surface_km2", "number"),
                ("membres_hors_region", "string"),
            ],
            epci_rows,
            epci_features,
            territory=True,
        ),
        _Table(
            "departements",
            "Départements",
            "Les départements de la région.",
            [
                ("code", "string"),
                ("nom", "string"),
                ("chef_lieu", "string"),
                ("population", "integer"),
                ("surface_km2", "number"),
            ],
            dep_rows,
            dep_features,
            territory=True,
        ),
    ]


def _organisations_table() -> _Table:
    from crig.members.selectors import organisations_search

    rows, features = [], []
    for organisation in organisations_search():
        rows.append(
            [
                organisation.pk,
                organisation.name,
                organisation.acronym,
                organisation.siren,
                organisation.get_category_display(),
                organisation.is_openig_member,
                organisation.openig_member_since,
                organisation.is_signatory,
                organisation.commune_count,
                organisation.website,
                _url(organisation),
            ]
        )
        features.append(
            (
                organisation.pk,
                organisation.perimeter_outline or None,
                {
                    "name": organisation.name,
                    "category": organisation.category,
                    "url": _url(organisation),
                },
            )
        )
    return _Table(
        "organisations",
        "Annuaire des organisations",
        "Les organisations membres, leur catégorie et leur périmètre (sans aucune "
        "donnée personnelle).",
        [
            ("id", "integer"),
            ("nom", "string"),
            ("sigle", "string"),
            ("siren", "string"),
            ("categorie", "string"),
            ("adherent_openig", "boolean"),
            ("adherent_depuis", "integer"),
            ("signataire", "boolean"),
            ("communes_du_perimetre", "integer"),
            ("site_web", "string"),
            ("url", "string"),
        ],
        rows,
        features,
    )


def _datasets_table() -> _Table:
    from crig.catalog.selectors.visibility import datasets_published_to

    datasets = (
        datasets_published_to(AnonymousUser())
        .select_related("producer")
        .order_by("pk")
        .only(
            "pk",
            "identifier",
            "title",
            "producer_name",
            "producer__name",
            "referentiel",
            "year",
            "licence",
            "licence_url",
            "published_on",
            "revised_on",
            "resolution_m",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "footprint",
            "is_demo",
        )
    )
    rows, features = [], []
    for dataset in datasets.iterator(chunk_size=1000):
        rows.append(
            [
                dataset.pk,
                dataset.identifier,
                dataset.title,
                dataset.producer.name if dataset.producer else dataset.producer_name,
                dataset.referentiel,
                dataset.year,
                dataset.licence,
                dataset.licence_url,
                dataset.published_on,
                dataset.revised_on,
                dataset.resolution_m,
                dataset.is_demo,
                _url(dataset),
            ]
        )
        features.append(
            (
                dataset.pk,
                dataset.footprint or _bbox_polygon(_bbox(dataset)),
                {
                    "identifier": dataset.identifier,
                    "title": dataset.title,
                    "url": _url(dataset),
                },
            )
        )
    return _Table(
        "jeux_de_donnees",
        "Catalogue des données de référence",
        "Les fiches publiques et actives du catalogue (la licence de chaque jeu de "
        "données est dans la colonne « licence ») ; le catalogue complet en DCAT-AP "
        "est dans catalogue.ttl.",
        [
            ("id", "integer"),
            ("identifiant", "string"),
            ("titre", "string"),
            ("producteur", "string"),
            ("referentiel", "string"),
            ("millesime", "integer"),
            ("licence", "string"),
            ("licence_url", "string"),
            ("publie_le", "date"),
            ("revise_le", "date"),
            ("resolution_m", "number"),
            ("demo", "boolean"),
            ("url", "string"),
        ],
        rows,
        features,
    )


def _bbox_polygon(bbox) -> str | None:
    if bbox is None:
        return None
    west, south, east, north = bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _needs_table() -> _Table:
    from crig.needs.selectors.needs import needs_visible_to

    needs = (
        needs_visible_to(AnonymousUser()).select_related("organisation").order_by("pk")
    )
    rows, features = [], []
    for need in needs:
        rows.append(
            [
                need.pk,
                need.title,
                need.get_theme_display(),
                need.get_state_display(),
                need.organisation.name,
                need.territory_description,
                need.area_km2,
                need.population,
                need.horizon,
                need.description,
                need.precision,
                need.resolution_m,
                need.intended_use,
                need.get_plan_fit_display(),
                need.public_answer,
                need.submitted_at,
                _url(need),
            ]
        )
        features.append(
            (
                need.pk,
                need.outline or None,
                {
                    "title": need.title,
                    "theme": need.theme,
                    "state": need.state,
                    "url": _url(need),
                },
            )
        )
    return _Table(
        "besoins",
        "Besoins des membres",
        "Les besoins exprimés par les organisations membres (hors brouillons), "
        "sans leurs auteurs ni leurs contacts.",
        [
            ("id", "integer"),
            ("titre", "string"),
            ("theme", "string"),
            ("etat", "string"),
            ("organisation", "string"),
            ("territoire", "string"),
            ("surface_km2", "number"),
            ("population", "integer"),
            ("horizon", "date"),
            ("description", "string"),
            ("precision", "string"),
            ("resolution_m", "number"),
            ("usage_prevu", "string"),
            ("adequation_plan", "string"),
            ("reponse_publique", "string"),
            ("soumis_le", "datetime"),
            ("url", "string"),
        ],
        rows,
        features,
    )


def _opinions_table() -> _Table:
    from crig.funding.selectors.register import register_list

    rows, features = [], []
    for opinion in register_list().select_related(
        "request__applicant", "request__signatory", "request__programme"
    ):
        request = opinion.request
        rows.append(
            [
                opinion.pk,
                opinion.version,
                opinion.get_verdict_display(),
                opinion.reasoning,
                opinion.conditions,
                opinion.adopted_on,
                opinion.get_adoption_display(),
                opinion.meeting_label,
                opinion.published_at,
                opinion.correction_note,
                request.reference,
                request.title,
                request.public_summary,
                request.get_theme_display(),
                request.applicant.name,
                str(request.signatory),
                request.programme.name if request.programme else "",
                request.amount_requested,
                request.territory_description,
                request.area_km2,
                _url(opinion),
            ]
        )
        features.append(
            (
                opinion.pk,
                request.outline or None,
                {
                    "reference": request.reference,
                    "title": request.title,
                    "verdict": opinion.verdict,
                    "url": _url(opinion),
                },
            )
        )
    return _Table(
        "avis",
        "Registre des avis du CRIG",
        "La dernière version publiée de l'avis sur chaque demande de financement "
        "publiée, avec la partie publique de la demande.",
        [
            ("id", "integer"),
            ("version", "integer"),
            ("avis", "string"),
            ("motivation", "string"),
            ("conditions", "string"),
            ("adopte_le", "date"),
            ("mode_adoption", "string"),
            ("seance", "string"),
            ("publie_le", "datetime"),
            ("correction", "string"),
            ("reference_demande", "string"),
            ("titre_demande", "string"),
            ("resume_public", "string"),
            ("theme", "string"),
            ("demandeur", "string"),
            ("signataire", "string"),
            ("programme", "string"),
            ("montant_demande", "number"),
            ("territoire", "string"),
            ("surface_km2", "number"),
            ("url", "string"),
        ],
        rows,
        features,
    )


def _actionplan_tables() -> list[_Table]:
    from crig.actionplan.selectors import plan_actions, plans_visible_to

    anonymous = AnonymousUser()
    plan_rows, action_rows = [], []
    for plan in plans_visible_to(anonymous).order_by("year"):
        plan_rows.append(
            [plan.year, plan.title, plan.introduction, plan.published_at, _url(plan)]
        )
        for action in plan_actions(user=anonymous, plan=plan):
            action_rows.append(
                [
                    plan.year,
                    action.number,
                    action.get_category_display(),
                    action.title,
                    action.objectives,
                    action.theme,
                    str(action.signatory) if action.signatory_id else "",
                    [lead.name for lead in action.leads.all()],
                    [partner.name for partner in action.partners.all()],
                    action.get_status_display(),
                    action.progress,
                    action.budget,
                    _url(action),
                ]
            )
    return [
        _Table(
            "plans_actions",
            "Plans d'actions",
            "Les plans d'actions annuels publiés.",
            [
                ("annee", "integer"),
                ("titre", "string"),
                ("introduction", "string"),
                ("publie_le", "datetime"),
                ("url", "string"),
            ],
            plan_rows,
        ),
        _Table(
            "actions",
            "Actions des plans",
            "Les actions des plans d'actions publiés.",
            [
                ("annee", "integer"),
                ("numero", "integer"),
                ("categorie", "string"),
                ("titre", "string"),
                ("objectifs", "string"),
                ("theme", "string"),
                ("signataire", "string"),
                ("pilotes", "string"),
                ("partenaires", "string"),
                ("statut", "string"),
                ("avancement_pct", "integer"),
                ("budget", "number"),
                ("url", "string"),
            ],
            action_rows,
        ),
    ]


def _events_tables() -> list[_Table]:
    from crig.events.selectors import events_visible_to, meetings_visible_to

    anonymous = AnonymousUser()
    event_rows, event_features = [], []
    for event in events_visible_to(anonymous).order_by("starts_at", "pk"):
        event_rows.append(
            [
                event.uid,
                event.title,
                event.get_kind_display(),
                event.get_state_display(),
                event.starts_at,
                event.ends_at,
                event.place_name,
                event.address,
                event.longitude,
                event.latitude,
                event.capacity,
                _url(event),
            ]
        )
        point = (
            json.dumps(
                {"type": "Point", "coordinates": [event.longitude, event.latitude]}
            )
            if event.longitude is not None and event.latitude is not None
            else None
        )
        event_features.append(
            (event.pk, point, {"title": event.title, "url": _url(event)})
        )
    meeting_rows = [
        [
            meeting.uid,
            meeting.title,
            meeting.starts_at,
            meeting.ends_at,
            meeting.place,
            meeting.published_at,
            _url(meeting),
        ]
        for meeting in meetings_visible_to(anonymous).order_by("starts_at", "pk")
    ]
    return [
        _Table(
            "evenements",
            "Événements",
            "Les journées et ateliers publiés (ou annulés), sans les inscrits.",
            [
                ("uid", "string"),
                ("titre", "string"),
                ("type", "string"),
                ("etat", "string"),
                ("debut", "datetime"),
                ("fin", "datetime"),
                ("lieu", "string"),
                ("adresse", "string"),
                ("longitude", "number"),
                ("latitude", "number"),
                ("places", "integer"),
                ("url", "string"),
            ],
            event_rows,
            event_features,
        ),
        _Table(
            "reunions",
            "Réunions du conseil",
            "Les réunions publiées du CRIG (comptes rendus et documents : voir "
            "chaque page).",
            [
                ("uid", "string"),
                ("titre", "string"),
                ("debut", "datetime"),
                ("fin", "datetime"),
                ("lieu", "string"),
                ("publie_le", "datetime"),
                ("url", "string"),
            ],
            meeting_rows,
        ),
    ]


def _news_table() -> _Table:
    from crig.news.selectors import news_public_feed

    rows = []
    for item in news_public_feed(limit=10**9):
        try:
            url = _absolute(reverse("news:detail", args=[item.pk]))
        except NoReverseMatch:
            url = ""
        rows.append(
            [
                item.pk,
                item.title,
                item.get_kind_display(),
                item.summary,
                item.publish_at,
                [theme.theme for theme in item.themes.all()],
                item.territory_description,
                item.source_name,
                item.source_url,
                url,
            ]
        )
    return _Table(
        "actualites",
        "Actualités",
        "Les actualités publiques publiées.",
        [
            ("id", "integer"),
            ("titre", "string"),
            ("type", "string"),
            ("resume", "string"),
            ("publiee_le", "datetime"),
            ("themes", "string"),
            ("territoire", "string"),
            ("source", "string"),
            ("source_url", "string"),
            ("url", "string"),
        ],
        rows,
    )


# --- writing ------------------------------------------------------------------


def _write_geojson(path: Path, features: Iterable[tuple]) -> int:
    """A FeatureCollection, one feature a line; stored GeoJSON text spliced in."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for feature_id, geometry, properties in features:
            text = (
                '{"type": "Feature", "id": '
                + json.dumps(feature_id)
                + ', "geometry": '
                + (geometry if geometry else "null")
                + ', "properties": '
                + json.dumps(properties, ensure_ascii=False, default=str)
                + "}"
            )
            out.write((",\n" if count else "") + text)
            count += 1
        out.write("\n]}\n")
    return count


def _write_dcat(path: Path, created_at: datetime.datetime) -> int:
    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.catalog.standards import StandardsRequest, dcat
    from crig.catalog.standards.repository import DatasetRepository

    repository = DatasetRepository(datasets_published_to(AnonymousUser()))
    total = repository.count(None)
    records = repository.page(None, offset=0, limit=max(total, 1))
    request = StandardsRequest(
        base_url=settings.SITE_URL, site_name=settings.CRIG_NAME, now=created_at
    )
    graph = dcat.catalog_graph(
        request,
        records,
        serialisation="ttl",
        page=1,
        page_size=max(total, 1),
        total=total,
    )
    path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
    return total


def _resource(table: _Table, file_name: str, fmt: str, media_type: str) -> dict:
    resource = {
        "name": f"{table.name}-{fmt}",
        "path": file_name,
        "title": table.title,
        "description": table.description,
        "format": fmt,
        "mediatype": media_type,
        "encoding": "utf-8",
        "licenses": [LICENCE_OUVERTE],
    }
    if table.territory:
        resource["sources"] = TERRITORY_SOURCES
        resource["description"] += f" Sources à citer : {TERRITORY_CREDIT}."
    if fmt == "csv":
        resource["profile"] = "tabular-data-resource"
        resource["schema"] = {
            "fields": [{"name": name, "type": kind} for name, kind in table.columns]
        }
    return resource


def opendata_export(*, destination: Path) -> OpendataReport:
    """Write the public data into ``destination`` (created if missing; files of the
    same names are replaced). See the module docstring."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now().replace(microsecond=0)
    report = OpendataReport(directory=destination, created_at=created_at)
    tables = [
        *_territory_tables(),
        _organisations_table(),
        _datasets_table(),
        _needs_table(),
        _opinions_table(),
        *_actionplan_tables(),
        *_events_tables(),
        _news_table(),
    ]
    resources = []
    for table in tables:
        csv_name = f"{table.name}.csv"
        (destination / csv_name).write_bytes(
            csv_bytes([name for name, _kind in table.columns], table.rows)
        )
        resources.append(_resource(table, csv_name, "csv", "text/csv"))
        report.counts[table.name] = len(table.rows)
        report.files.append(csv_name)
        if table.features is not None:
            geojson_name = f"{table.name}.geojson"
            _write_geojson(destination / geojson_name, table.features)
            resources.append(
                _resource(table, geojson_name, "geojson", "application/geo+json")
            )
            report.files.append(geojson_name)
    _write_dcat(destination / "catalogue.ttl", created_at)
    resources.append(
        {
            "name": "catalogue-dcat",
            "path": "catalogue.ttl",
            "title": "Catalogue DCAT-AP",
            "description": "Les fiches publiques du catalogue en DCAT-AP (Turtle).",
            "format": "ttl",
            "mediatype": "text/turtle",
            "encoding": "utf-8",
            "licenses": [LICENCE_OUVERTE],
        }
    )
    report.files.append("catalogue.ttl")
    package = {
        "profile": "data-package",
        "name": "crig-donnees-publiques",
        "title": f"{settings.CRIG_NAME} — données publiques",
        "description": (
            "Toutes les données publiques de la plateforme, telles qu'un visiteur "
            "les voit, dans des formats ouverts (CSV UTF-8, GeoJSON WGS84, DCAT-AP)."
        ),
        "homepage": f"{settings.SITE_URL}/",
        "created": created_at.isoformat(),
        "licenses": [LICENCE_OUVERTE],
        "contributors": [{"title": settings.CRIG_NAME, "role": "publisher"}],
        "resources": resources,
    }
    (destination / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    report.files.append("datapackage.json")
    (destination / "README.md").write_text(_readme(package, report), "utf-8")
    report.files.append("README.md")
    return report


def _readme(package: dict, report: OpendataReport) -> str:
    lines = [
        f"# {package['title']}",
        "",
        package["description"],
        "",
        f"Export du {timezone.localtime(report.created_at):%d/%m/%Y à %H:%M} "
        f"depuis {package['homepage']}.",
        "",
        "Licence : Licence Ouverte 2.0 (Etalab), "
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/ — réutilisation "
        "libre, y compris commerciale, en citant la source et la date. Les communes, "
        f"EPCI et départements citent en plus leurs sources : {TERRITORY_CREDIT}. "
        "Chaque jeu de données du catalogue garde sa propre licence (colonne "
        "« licence »).",
        "",
        "Les CSV sont en UTF-8 (avec BOM), séparés par des virgules ; une cellule "
        "qui commencerait par = + - @ est précédée d'une apostrophe. Les GeoJSON "
        "sont en WGS84 (EPSG:4326, longitude puis latitude). La description "
        "complète (champs et types) est dans datapackage.json (Frictionless Data "
        "Package).",
        "",
        "| Fichier | Contenu | Lignes |",
        "|---|---|---:|",
    ]
    for resource in package["resources"]:
        table_name = resource["name"].rsplit("-", 1)[0]
        count = report.counts.get(table_name, "")
        lines.append(f"| `{resource['path']}` | {resource['title']} | {count} |")
    return "\n".join(lines) + "\n"
