"""Realistic catalogue records for the demo and the benchmarks.

Pure functions over a snapshot of the territory (communes, EPCI, départements with
their WGS84 outlines): nothing here touches the database, except
``territory_from_database``, which reads the snapshot. Everything is deterministic
for a given seed.

- ``demo_records`` — the labelled demo catalogue of the six référentiels in
  Occitanie (orthophotos per département, PCRS per EPCI at different stages, LIDAR
  HD blocks, OCS GE, addresses, ERP), so that coverage maps and gap views have
  something to show. Every record is ``is_demo`` and its title starts with
  ``DEMO_PREFIX``.
- ``catalogue_record`` / ``catalogue_records`` — the kind of records regional
  platforms publish (urban plans per commune, networks per EPCI, road and risk
  layers per département, image tiles…), French titles and abstracts, footprints
  from real outlines, for the benchmarks. ``catalogue_record(territory, index,
  seed=…)`` gives record ``index`` alone, so a test server can page through a large
  catalogue without holding it.
- ``iso19139_document`` and ``csw_getrecords_response`` write those records as ISO
  19139 documents and CSW 2.0.2 GetRecords responses.

Records are plain dicts whose keys are the fields of
``crig.catalog.ingest.records.RecordData`` (the Dataset fields, ``keywords`` as
``(kind, code, label, thesaurus)`` tuples, ``distributions`` as dicts, ``footprint``
as a shapely geometry in WGS84), plus ``covers``: the INSEE codes of the communes a
footprint made of whole communes covers entirely (empty for a rectangle).
"""

import datetime
import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry.base import BaseGeometry

from crig.territory.geometry import LAMBERT93, WGS84, reproject

DEMO_PREFIX = "[Démo]"
DEMO_ORIGIN = "demo"
DEMO_SITE = "https://demo.crig-occitanie.example"
REFERENTIEL_THESAURUS = "Référentiels du CRIG Occitanie"
INSPIRE_THESAURUS = "GEMET - INSPIRE themes, version 1.0"
#: Bump when the generated records change, so cached peer databases are rebuilt.
CATALOGUE_VERSION = 1
#: Record keys that are Dataset text fields (never NULL) and other Dataset fields.
TEXT_FIELDS = (
    "identifier",
    "resource_identifier",
    "title",
    "abstract",
    "level",
    "language",
    "producer_name",
    "producer_email",
    "referentiel",
    "licence",
    "licence_url",
    "lineage",
)
VALUE_FIELDS = (
    "created_on",
    "published_on",
    "revised_on",
    "temporal_start",
    "temporal_end",
    "year",
    "resolution_m",
    "scale_denominator",
    "footprint_is_bbox",
    "is_demo",
)
LICENCE_OUVERTE = (
    "Licence Ouverte 2.0",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
)
ODBL = ("ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/")

# INSPIRE themes (registry code → French label).
INSPIRE_THEMES = {
    "oi": "Ortho-imagerie",
    "lc": "Occupation des terres",
    "lu": "Usage des sols",
    "ad": "Adresses",
    "el": "Altitude",
    "bu": "Bâtiments",
    "tn": "Réseaux de transport",
    "us": "Services d'utilité publique et services publics",
    "au": "Unités administratives",
    "cp": "Parcelles cadastrales",
    "hy": "Hydrographie",
    "nz": "Zones à risque naturel",
    "ps": "Sites protégés",
    "am": "Zones de gestion, de restriction ou de réglementation",
    "pf": "Lieux de production et sites industriels",
}
REFERENTIEL_LABELS = {
    "orthophotographie": "Orthophotographie",
    "occupation_du_sol": "Occupation du sol",
    "erp": "Établissements recevant du public",
    "pcrs": "Plan corps de rue simplifié",
    "lidar": "LIDAR",
    "adresses": "Adresses",
}


# --- The territory snapshot -----------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A commune, an EPCI or a département, with its WGS84 outline (GeoJSON)."""

    code: str
    name: str
    outline: str
    bbox: tuple[float, float, float, float]
    departement: str = ""
    epci: str = ""
    kind: str = ""
    population: int = 0
    members: tuple[str, ...] = ()

    @cached_property
    def geometry(self) -> BaseGeometry:
        return shapely.from_geojson(self.outline)


@dataclass(frozen=True)
class Territory:
    region_name: str
    region_bbox: tuple[float, float, float, float]
    region_outline: str
    communes: tuple[Unit, ...]
    epcis: tuple[Unit, ...]
    departements: tuple[Unit, ...]
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def region_geometry(self) -> BaseGeometry:
        return shapely.from_geojson(self.region_outline)

    def commune(self, insee: str) -> Unit:
        if not self._by_code:
            self._by_code.update({unit.code: unit for unit in self.communes})
        return self._by_code[insee]

    def departement(self, code: str) -> Unit:
        return next(unit for unit in self.departements if unit.code == code)

    def epci(self, siren: str) -> Unit:
        return next(unit for unit in self.epcis if unit.code == siren)


def territory_from_database() -> Territory:
    """The territory tables as a snapshot (the one function here that reads the DB)."""
    from crig.territory.models import EPCI, Commune, Departement, Region

    def bbox(row) -> tuple[float, float, float, float]:
        return (row.min_lon, row.min_lat, row.max_lon, row.max_lat)

    communes = tuple(
        Unit(
            code=c.insee,
            name=c.name,
            outline=c.outline,
            bbox=bbox(c),
            departement=c.departement_id,
            epci=c.epci_id or "",
            kind="commune",
            population=c.population,
        )
        for c in Commune.objects.order_by("insee")
    )
    members: dict[str, list[str]] = {}
    departement_members: dict[str, list[str]] = {}
    for commune in communes:
        departement_members.setdefault(commune.departement, []).append(commune.code)
        if commune.epci:
            members.setdefault(commune.epci, []).append(commune.code)
    first_departement = {}
    for commune in communes:
        if commune.epci:
            first_departement.setdefault(commune.epci, commune.departement)
    epcis = tuple(
        Unit(
            code=e.siren,
            name=e.name,
            outline=e.outline,
            bbox=bbox(e),
            departement=first_departement.get(e.siren, ""),
            kind=e.kind,
            population=e.population,
            members=tuple(members.get(e.siren, ())),
        )
        for e in EPCI.objects.order_by("siren")
        if e.outline
    )
    departements = tuple(
        Unit(
            code=d.code,
            name=d.name,
            outline=d.outline,
            bbox=bbox(d),
            departement=d.code,
            kind="departement",
            population=d.population,
            members=tuple(departement_members.get(d.code, ())),
        )
        for d in Departement.objects.order_by("code")
    )
    region = Region.objects.get()
    return Territory(
        region_name=region.name,
        region_bbox=bbox(region),
        region_outline=region.outline,
        communes=communes,
        epcis=epcis,
        departements=departements,
    )


# --- Small helpers ---------------------------------------------------------------


def _rectangle_lambert93(x: float, y: float, size_m: float) -> BaseGeometry:
    """A square of Lambert-93 (a tile or a block) as a WGS84 polygon."""
    square = shapely.segmentize(shapely.box(x, y, x + size_m, y + size_m), size_m / 8)
    polygon = reproject(square, source_crs=LAMBERT93, target_crs=WGS84)
    return shapely.set_precision(polygon, 1e-6)


def _clip_to_bbox(geometry: BaseGeometry, bbox) -> BaseGeometry:
    return shapely.clip_by_rect(geometry, *bbox)


def _slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def _keyword(kind: str, code: str, label: str, thesaurus: str = "") -> tuple:
    return (kind, code, label, thesaurus)


def _referentiel_keyword(code: str) -> tuple:
    return _keyword(
        "referentiel", code, REFERENTIEL_LABELS[code], REFERENTIEL_THESAURUS
    )


def _inspire_keyword(code: str) -> tuple:
    return _keyword("inspire", code, INSPIRE_THEMES[code], INSPIRE_THESAURUS)


def _free_keywords(*labels: str) -> list[tuple]:
    return [_keyword("keyword", _slug(label), label) for label in labels]


def _date(year: int, month: int = 1, day: int = 1) -> datetime.date:
    return datetime.date(year, month, day)


def _record(**fields) -> dict:
    """A record with every field present (defaults for those not given)."""
    record = {
        "identifier": "",
        "resource_identifier": "",
        "title": "",
        "abstract": "",
        "level": "dataset",
        "language": "fre",
        "producer_name": "",
        "producer_email": "",
        "referentiel": "",
        "created_on": None,
        "published_on": None,
        "revised_on": None,
        "temporal_start": None,
        "temporal_end": None,
        "year": None,
        "resolution_m": None,
        "scale_denominator": None,
        "licence": LICENCE_OUVERTE[0],
        "licence_url": LICENCE_OUVERTE[1],
        "lineage": "",
        "footprint": None,
        "footprint_is_bbox": False,
        "keywords": [],
        "distributions": [],
        "is_demo": False,
        "covers": (),
    }
    unknown = set(fields) - set(record)
    if unknown:
        raise KeyError(f"Unknown record fields: {sorted(unknown)}")
    record.update(fields)
    record["remote_identifier"] = record["identifier"]
    return record


def _distribution(kind, url, *, name="", title="", media_type="", protocol=""):
    return {
        "kind": kind,
        "url": url,
        "name": name,
        "title": title,
        "media_type": media_type,
        "protocol": protocol,
    }


def _demo_links(slug: str, layer: str, *, wms=True) -> list[dict]:
    links = []
    if wms:
        links.append(
            _distribution(
                "wms",
                f"{DEMO_SITE}/wms",
                name=layer,
                title="Service de visualisation (démo)",
                protocol="OGC:WMS",
            )
        )
    links.append(
        _distribution(
            "download",
            f"{DEMO_SITE}/telechargement/{slug}.zip",
            name=f"{slug}.zip",
            title="Téléchargement (démo)",
            media_type="application/zip",
            protocol="WWW:DOWNLOAD-1.0-http--download",
        )
    )
    return links


DEMO_NOTICE = (
    " Fiche de démonstration générée par crig : elle ne décrit pas une donnée réelle."
)


# --- The demo catalogue ------------------------------------------------------------

# Organisations of the members demo that produce the demo records.
IGN = "IGN Occitanie"
REGION = "Région Occitanie"
METROPOLES = {
    # EPCI SIREN: (high-resolution ortho year, resolution m)
    "243100518": (2022, 0.05),  # Toulouse Métropole
    "243400017": (2023, 0.08),  # Montpellier Méditerranée Métropole
    "200027183": (2021, 0.10),  # Perpignan Méditerranée Métropole
}
# Demo ERP producers per département (SDIS or DDT of the members demo).
ERP_PRODUCERS = {
    "31": "Service départemental d'incendie et de secours de la Haute-Garonne",
    "34": "Service départemental d'incendie et de secours de l'Hérault",
    "11": "Direction départementale des territoires et de la mer de l'Aude",
    "66": "Direction départementale des territoires et de la mer des "
    "Pyrénées-Orientales",
    "81": "Direction départementale des territoires du Tarn",
}
# PCRS producers: EPCI organisations of the members demo, then others at random.
PCRS_MEMBER_EPCIS = [
    "243100518",
    "243400017",
    "241100593",
    "200027183",
    "200069300",
    "243000643",
    "243100633",
    "248100737",
]
LIDAR_BLOCK_M = 50_000


def demo_records(territory: Territory, *, seed: int = 2024) -> list[dict]:
    """The demo catalogue of the six référentiels, labelled, deterministic."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    records = []
    records += _demo_orthophotos(territory, rng)
    records += _demo_pcrs(territory, rng)
    records += _demo_lidar(territory, rng)
    records += _demo_land_cover(territory, rng)
    records += _demo_addresses(territory)
    records += _demo_erp(territory, rng)
    for record in records:
        record["is_demo"] = True
        record["title"] = f"{DEMO_PREFIX} {record['title']}"
        record["abstract"] += DEMO_NOTICE
    return records


def _departement_record(departement: Unit, **fields) -> dict:
    return _record(
        footprint=departement.geometry,
        covers=departement.members,
        **fields,
    )


def _demo_orthophotos(territory: Territory, rng: random.Random) -> list[dict]:
    records = []
    for departement in territory.departements:
        latest = rng.choice([2016, 2017, 2019, 2020, 2021, 2022, 2023])
        vintages = [(latest, 0.20)]
        if latest >= 2019:
            vintages.append((latest - 3, 0.20 if latest - 3 >= 2016 else 0.50))
        for year, resolution in vintages:
            slug = f"bdortho-{departement.code}-{year}"
            records.append(
                _departement_record(
                    departement,
                    identifier=f"crig-demo-{slug}",
                    title=(
                        f"BD ORTHO® {int(resolution * 100)} cm — {departement.name} "
                        f"({departement.code}) — {year}"
                    ),
                    abstract=(
                        f"Orthophotographie départementale de {departement.name} à "
                        f"{int(resolution * 100)} cm de résolution, prises de vues "
                        f"aériennes de l'été {year}, mosaïquées et orthorectifiées. "
                        "Couverture complète du département."
                    ),
                    producer_name=IGN,
                    referentiel="orthophotographie",
                    created_on=_date(year, 9, 1),
                    published_on=_date(year + 1, 3, 15),
                    temporal_start=_date(year, 6, 1),
                    temporal_end=_date(year, 9, 30),
                    year=year,
                    resolution_m=resolution,
                    lineage=(
                        "Prises de vues aériennes numériques, aérotriangulation, "
                        "orthorectification sur le RGE ALTI®, mosaïquage."
                    ),
                    keywords=[
                        _referentiel_keyword("orthophotographie"),
                        _inspire_keyword("oi"),
                        *_free_keywords("Orthophotographie", "Image aérienne"),
                    ],
                    distributions=_demo_links(slug, "ORTHOIMAGERY.ORTHOPHOTOS"),
                )
            )
    for siren, (year, resolution) in METROPOLES.items():
        epci = territory.epci(siren)
        slug = f"ortho-hr-{siren}-{year}"
        records.append(
            _record(
                identifier=f"crig-demo-{slug}",
                title=f"Orthophotographie {int(resolution * 100)} cm — {epci.name} — "
                f"{year}",
                abstract=(
                    f"Orthophotographie très haute résolution ({int(resolution * 100)}"
                    f" cm) du territoire de {epci.name}, acquise en {year} pour le "
                    "PCRS image et les usages de gestion urbaine."
                ),
                producer_name=epci.name,
                referentiel="orthophotographie",
                temporal_start=_date(year, 4, 1),
                temporal_end=_date(year, 7, 31),
                published_on=_date(year + 1, 1, 10),
                year=year,
                resolution_m=resolution,
                footprint=epci.geometry,
                covers=epci.members,
                keywords=[
                    _referentiel_keyword("orthophotographie"),
                    _inspire_keyword("oi"),
                    *_free_keywords("Orthophotographie", "Très haute résolution"),
                ],
                distributions=_demo_links(slug, f"ortho_{siren}_{year}"),
            )
        )
    return records


def _demo_pcrs(territory: Territory, rng: random.Random) -> list[dict]:
    others = [e.code for e in territory.epcis if e.code not in PCRS_MEMBER_EPCIS]
    chosen = [
        siren
        for siren in PCRS_MEMBER_EPCIS
        if any(e.code == siren for e in territory.epcis)
    ]
    chosen += rng.sample(others, min(16, len(others)))
    stages = ["réalisé", "en cours", "programmé"]
    records = []
    for position, siren in enumerate(chosen):
        epci = territory.epci(siren)
        stage = stages[position % 3]
        slug = f"pcrs-{siren}"
        members = list(epci.members)
        if stage == "réalisé":
            year = rng.choice([2020, 2021, 2022, 2023, 2024])
            covers = tuple(members)
            footprint = epci.geometry
            abstract = (
                f"Plan corps de rue simplifié (PCRS) du territoire de {epci.name}, "
                f"livré en {year} au format image (5 cm) conforme au standard "
                "CNIG PCRS v2.0, sur l'ensemble des communes."
            )
            temporal = {"temporal_start": _date(year - 1, 3, 1)}
            temporal["temporal_end"] = _date(year, 6, 30)
        elif stage == "en cours":
            year = None
            delivered = max(1, len(members) // 2)
            covers = tuple(sorted(rng.sample(members, delivered)))
            footprint = shapely.union_all(
                [territory.commune(code).geometry for code in covers]
            )
            abstract = (
                f"Plan corps de rue simplifié (PCRS) de {epci.name} en cours de "
                f"production : {delivered} communes sur {len(members)} livrées, "
                "le reste est attendu l'an prochain."
            )
            temporal = {"temporal_start": _date(2024, 3, 1)}
        else:
            year = None
            covers = tuple(members)
            # Nothing delivered: no footprint, so no commune counts as covered.
            footprint = None
            abstract = (
                f"Plan corps de rue simplifié (PCRS) programmé sur {epci.name} : "
                "acquisition prévue en 2026 dans le cadre de la mutualisation "
                "régionale. Aucune donnée n'est encore livrée."
            )
            temporal = {"temporal_start": _date(2026, 3, 1)}
        records.append(
            _record(
                identifier=f"crig-demo-{slug}",
                title=f"PCRS — {epci.name} ({stage})",
                abstract=abstract,
                producer_name=epci.name,
                referentiel="pcrs",
                year=year,
                resolution_m=0.05,
                footprint=footprint,
                covers=covers if footprint is not None else (),
                keywords=[
                    _referentiel_keyword("pcrs"),
                    *_free_keywords("PCRS", f"PCRS {stage}", "Voirie"),
                ],
                distributions=_demo_links(slug, f"pcrs_{siren}")
                if stage != "programmé"
                else [],
                **temporal,
            )
        )
    return records


def _demo_lidar(territory: Territory, rng: random.Random) -> list[dict]:
    region_l93 = reproject(
        territory.region_geometry, source_crs=WGS84, target_crs=LAMBERT93
    )
    west, south, east, north = region_l93.bounds
    x0 = int(west // LIDAR_BLOCK_M) * LIDAR_BLOCK_M
    y0 = int(south // LIDAR_BLOCK_M) * LIDAR_BLOCK_M
    shapely.prepare(region_l93)
    records = []
    column = 0
    for x in range(x0, int(east) + 1, LIDAR_BLOCK_M):
        row = 0
        for y in range(y0, int(north) + 1, LIDAR_BLOCK_M):
            block = shapely.box(x, y, x + LIDAR_BLOCK_M, y + LIDAR_BLOCK_M)
            share = shapely.area(shapely.intersection(block, region_l93)) / block.area
            if share < 0.05:
                row += 1
                continue
            # The national programme swept the country block by block: west first.
            year = 2021 + min(3, column // 3) + (1 if rng.random() < 0.2 else 0)
            if year > 2024:
                row += 1
                continue  # not acquired yet: a gap on the maps
            name = f"{chr(65 + column)}{chr(65 + row)}"
            footprint = _clip_to_bbox(
                _rectangle_lambert93(x, y, LIDAR_BLOCK_M), territory.region_bbox
            )
            slug = f"lidarhd-bloc-{name.lower()}"
            records.append(
                _record(
                    identifier=f"crig-demo-{slug}",
                    title=f"LIDAR HD — bloc {name} — {year}",
                    abstract=(
                        f"Nuage de points LIDAR HD du bloc {name} (50 × 50 km), "
                        f"acquis en {year} à une densité d'au moins 10 points par m², "
                        "classé (sol, végétation, bâti, eau) ; modèles numériques de "
                        "terrain et de surface dérivés à 50 cm."
                    ),
                    producer_name=IGN,
                    referentiel="lidar",
                    temporal_start=_date(year, 2, 1),
                    temporal_end=_date(year, 11, 30),
                    published_on=_date(year + 1, 5, 1),
                    year=year,
                    resolution_m=0.5,
                    footprint=footprint,
                    footprint_is_bbox=True,
                    keywords=[
                        _referentiel_keyword("lidar"),
                        _inspire_keyword("el"),
                        *_free_keywords("LIDAR HD", "Nuage de points", "Altimétrie"),
                    ],
                    distributions=_demo_links(slug, "LIDARHD", wms=False),
                )
            )
            row += 1
        column += 1
    return records


def _demo_land_cover(territory: Territory, rng: random.Random) -> list[dict]:
    records = []
    for departement in territory.departements:
        outcome = rng.random()
        if outcome < 0.35:
            continue  # not produced yet: a gap
        year = 2019 if outcome < 0.55 else rng.choice([2021, 2022, 2023])
        slug = f"ocsge-{departement.code}-{year}"
        records.append(
            _departement_record(
                departement,
                identifier=f"crig-demo-{slug}",
                title=f"OCS GE — {departement.name} ({departement.code}) — {year}",
                abstract=(
                    f"Occupation du sol à grande échelle (OCS GE) de "
                    f"{departement.name}, millésime {year} : couverture et usage des "
                    "sols, base de la mesure de l'artificialisation (zéro "
                    "artificialisation nette)."
                ),
                producer_name=IGN,
                referentiel="occupation_du_sol",
                temporal_start=_date(year, 1, 1),
                temporal_end=_date(year, 12, 31),
                published_on=_date(year + 1, 10, 1),
                year=year,
                keywords=[
                    _referentiel_keyword("occupation_du_sol"),
                    _inspire_keyword("lc"),
                    _inspire_keyword("lu"),
                    *_free_keywords("OCS GE", "Artificialisation"),
                ],
                distributions=_demo_links(slug, "OCSGE.COUVERTURE"),
            )
        )
    return records


def _demo_addresses(territory: Territory) -> list[dict]:
    records = []
    for departement in territory.departements:
        slug = f"ban-{departement.code}"
        records.append(
            _departement_record(
                departement,
                identifier=f"crig-demo-{slug}",
                title=f"Adresses (BAN) — {departement.name} ({departement.code})",
                abstract=(
                    f"Adresses de la Base Adresse Nationale pour {departement.name}, "
                    "alimentée par les bases adresses locales des communes, extraction "
                    "de janvier 2025."
                ),
                producer_name=IGN,
                referentiel="adresses",
                published_on=_date(2025, 1, 15),
                revised_on=_date(2025, 1, 15),
                year=2025,
                licence="Licence Ouverte 2.0",
                keywords=[
                    _referentiel_keyword("adresses"),
                    _inspire_keyword("ad"),
                    *_free_keywords("Adresse", "BAN"),
                ],
                distributions=_demo_links(slug, "ADRESSES", wms=False),
            )
        )
    for siren in ("243100518", "243400017"):
        epci = territory.epci(siren)
        slug = f"bal-{siren}"
        records.append(
            _record(
                identifier=f"crig-demo-{slug}",
                title=f"Base adresse locale — {epci.name}",
                abstract=(
                    f"Base adresse locale (BAL) tenue par {epci.name} pour ses "
                    "communes, au format BAL 1.4, publiée dans la BAN."
                ),
                producer_name=epci.name,
                referentiel="adresses",
                revised_on=_date(2024, 11, 4),
                year=2024,
                footprint=epci.geometry,
                covers=epci.members,
                keywords=[
                    _referentiel_keyword("adresses"),
                    _inspire_keyword("ad"),
                    *_free_keywords("Adresse", "BAL"),
                ],
                distributions=_demo_links(slug, "bal", wms=False),
            )
        )
    return records


def _demo_erp(territory: Territory, rng: random.Random) -> list[dict]:
    records = []
    for code, producer in ERP_PRODUCERS.items():
        departement = territory.departement(code)
        year = rng.choice([2018, 2021, 2023, 2024])
        slug = f"erp-{code}-{year}"
        records.append(
            _departement_record(
                departement,
                identifier=f"crig-demo-{slug}",
                title=(
                    f"Établissements recevant du public — {departement.name} "
                    f"({code}) — {year}"
                ),
                abstract=(
                    f"Localisation des établissements recevant du public (ERP) de "
                    f"{departement.name} avec leur type et leur catégorie, mise à jour "
                    f"{year}, pour la prévention et la défense contre l'incendie."
                ),
                producer_name=producer,
                referentiel="erp",
                revised_on=_date(year, 12, 1),
                year=year,
                licence=ODBL[0],
                licence_url=ODBL[1],
                keywords=[
                    _referentiel_keyword("erp"),
                    _inspire_keyword("us"),
                    *_free_keywords("ERP", "Sécurité incendie"),
                ],
                distributions=_demo_links(slug, f"erp_{code}"),
            )
        )
    toulouse = territory.epci("243100518")
    records.append(
        _record(
            identifier="crig-demo-erp-243100518-2024",
            title=f"Établissements recevant du public — {toulouse.name} — 2024",
            abstract=(
                f"Établissements recevant du public de {toulouse.name} issus du "
                "registre d'accessibilité et des commissions de sécurité."
            ),
            producer_name=toulouse.name,
            referentiel="erp",
            year=2024,
            footprint=toulouse.geometry,
            covers=toulouse.members,
            keywords=[
                _referentiel_keyword("erp"),
                _inspire_keyword("us"),
                *_free_keywords("ERP", "Accessibilité"),
            ],
            distributions=_demo_links("erp-243100518-2024", "erp_tm"),
        )
    )
    return records


# --- The benchmark catalogue ----------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    scope: str  # commune, epci, departement or tile
    title: str
    abstract: str
    themes: tuple[str, ...]
    words: tuple[str, ...]
    referentiel: str = ""
    weight: int = 1
    years: tuple[int, int] = (2008, 2025)


TEMPLATES = [
    _Template(
        "commune",
        "Plan local d'urbanisme {of_name}",
        "Zonage, prescriptions et informations du plan local d'urbanisme (PLU) de la "
        "commune {of_name}, approuvé le {date}, numérisé selon le standard CNIG.",
        ("lu", "am"),
        ("urbanisme", "PLU", "zonage", "document d'urbanisme"),
        weight=12,
    ),
    _Template(
        "commune",
        "Réseau d'assainissement des eaux usées {of_name}",
        "Canalisations, regards et postes de relèvement du réseau d'assainissement "
        "collectif {of_name}, levés topographiques et récolements jusqu'en {year}.",
        ("us",),
        ("assainissement", "réseaux", "eaux usées"),
        weight=4,
    ),
    _Template(
        "commune",
        "Arbres d'alignement {of_name}",
        "Inventaire des arbres d'alignement et des parcs {of_name} : essence, hauteur, "
        "circonférence et état sanitaire, mis à jour en {year}.",
        ("ps",),
        ("arbres", "patrimoine arboré", "espaces verts"),
        weight=2,
    ),
    _Template(
        "commune",
        "Éclairage public {of_name}",
        "Points lumineux, armoires de commande et réseau d'éclairage public de la "
        "commune {of_name}, inventaire {year}.",
        ("us",),
        ("éclairage public", "énergie", "réseaux"),
        weight=2,
    ),
    _Template(
        "commune",
        "Adresses de la base adresse locale {of_name}",
        "Base adresse locale {of_name} : voies, numéros et lieux-dits certifiés par la "
        "commune, publiés dans la Base Adresse Nationale en {year}.",
        ("ad",),
        ("adresses", "BAL", "voies"),
        referentiel="adresses",
        weight=4,
    ),
    _Template(
        "commune",
        "Plan de prévention du risque inondation {of_name}",
        "Zonage réglementaire et aléas du plan de prévention des risques naturels "
        "d'inondation (PPRI) {of_name}, approuvé le {date}.",
        ("nz",),
        ("risques", "inondation", "PPRI", "zonage réglementaire"),
        weight=4,
    ),
    _Template(
        "epci",
        "Plan corps de rue simplifié {of_name}",
        "Plan corps de rue simplifié (PCRS) vecteur et image de {name} : bordures, "
        "affleurants et façades, précision de classe A, livraison {year}.",
        ("tn", "bu"),
        ("PCRS", "voirie", "réseaux sensibles"),
        referentiel="pcrs",
        weight=2,
    ),
    _Template(
        "epci",
        "Zones d'activités économiques {of_name}",
        "Périmètres, parcelles et disponibilités foncières des zones d'activités "
        "économiques gérées par {name}, recensement {year}.",
        ("pf", "lu"),
        ("économie", "foncier", "zones d'activités"),
        weight=2,
    ),
    _Template(
        "epci",
        "Aménagements cyclables {of_name}",
        "Pistes, bandes et voies vertes du territoire de {name}, selon le schéma de "
        "données des aménagements cyclables, mis à jour en {year}.",
        ("tn",),
        ("vélo", "mobilités", "aménagements cyclables"),
        weight=2,
    ),
    _Template(
        "epci",
        "Points d'apport volontaire des déchets {of_name}",
        "Emplacements des colonnes de tri et des déchèteries de {name}, {year}.",
        ("us",),
        ("déchets", "collecte", "tri sélectif"),
        weight=2,
    ),
    _Template(
        "epci",
        "Établissements recevant du public {of_name}",
        "Établissements recevant du public (ERP) du territoire de {name}, type et "
        "catégorie, accessibilité, mise à jour {year}.",
        ("us",),
        ("ERP", "accessibilité", "sécurité incendie"),
        referentiel="erp",
        weight=2,
    ),
    _Template(
        "departement",
        "Routes départementales {of_name}",
        "Réseau routier départemental {of_name} : tronçons, PR, trafic moyen "
        "journalier annuel et classement, édition {year}.",
        ("tn",),
        ("routes", "trafic", "voirie départementale"),
    ),
    _Template(
        "departement",
        "Espaces naturels sensibles {of_name}",
        "Périmètres des espaces naturels sensibles et zones de préemption du "
        "département {of_name}, délibération du {date}.",
        ("ps",),
        ("biodiversité", "espaces naturels", "ENS"),
    ),
    _Template(
        "departement",
        "Orthophotographie {of_name} — {year}",
        "Orthophotographie {of_name}, prises de vues aériennes {year}, résolution "
        "{resolution} cm, en couleurs naturelles et infrarouge.",
        ("oi",),
        ("orthophotographie", "imagerie", "photographies aériennes"),
        referentiel="orthophotographie",
    ),
    _Template(
        "departement",
        "Occupation du sol à grande échelle {of_name} — {year}",
        "OCS GE {of_name}, millésime {year} : couverture et usage du sol pour le "
        "suivi de l'artificialisation des sols.",
        ("lc", "lu"),
        ("occupation du sol", "artificialisation", "OCS GE"),
        referentiel="occupation_du_sol",
    ),
    _Template(
        "tile",
        "Dalle LIDAR HD {name} — {year}",
        "Nuage de points LIDAR HD classé de la dalle {name} (1 × 1 km), acquisition "
        "{year}, densité de 10 points par m².",
        ("el",),
        ("LIDAR", "altimétrie", "nuage de points"),
        referentiel="lidar",
        years=(2021, 2025),
        weight=3,
    ),
    _Template(
        "tile",
        "Modèle numérique de terrain {name} — {year}",
        "Modèle numérique de terrain au pas de 50 cm de la dalle {name}, dérivé du "
        "LIDAR HD {year}.",
        ("el",),
        ("MNT", "relief", "altimétrie"),
        referentiel="lidar",
        years=(2021, 2025),
        weight=2,
    ),
]
_TEMPLATE_TABLE = [t for t in TEMPLATES for _ in range(t.weight)]
PRODUCERS = {
    "commune": "Commune {of_name}",
    "epci": "{name}",
    "departement": "Conseil départemental {of_name}",
    "tile": "IGN",
}
# How to say "of the département" ("de l'Aude", "du Gers").
DEPARTEMENT_OF = {
    "09": "de l'Ariège",
    "11": "de l'Aude",
    "12": "de l'Aveyron",
    "30": "du Gard",
    "31": "de la Haute-Garonne",
    "32": "du Gers",
    "34": "de l'Hérault",
    "46": "du Lot",
    "48": "de la Lozère",
    "65": "des Hautes-Pyrénées",
    "66": "des Pyrénées-Orientales",
    "81": "du Tarn",
    "82": "de Tarn-et-Garonne",
}


def of_name(scope: str, unit: "Unit | None", place: str) -> str:
    """French "of <place>": "d'Albi", "de Lanzac", "du Gers", "— CA du Sicoval"."""
    if scope == "departement" and unit is not None and unit.code in DEPARTEMENT_OF:
        return DEPARTEMENT_OF[unit.code]
    if scope == "epci":
        return f"— {place}"
    if scope == "tile":
        return place
    if place.startswith("Le "):
        return f"du {place[3:]}"
    if place.startswith("Les "):
        return f"des {place[4:]}"
    if place[:1].lower() in "aeiouyhâéèêîôû":
        return f"d'{place}"
    return f"de {place}"


LICENCES = [LICENCE_OUVERTE, LICENCE_OUVERTE, LICENCE_OUVERTE, ODBL, ("", "")]
TILE_M = 1000
BENCH_SITE = "https://geo.example-occitanie.fr"


def catalogue_record(territory: Territory, index: int, *, seed: int = 1) -> dict:
    """Record number ``index`` of the benchmark catalogue (deterministic)."""
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 (reproducible)
    template = rng.choice(_TEMPLATE_TABLE)
    if template.scope == "commune":
        unit = rng.choice(territory.communes)
        place, footprint, covers = unit.name, unit.geometry, (unit.code,)
    elif template.scope == "epci":
        unit = rng.choice(territory.epcis)
        place, footprint, covers = unit.name, unit.geometry, unit.members
    elif template.scope == "departement":
        unit = rng.choice(territory.departements)
        place, footprint, covers = unit.name, unit.geometry, unit.members
    else:
        # A 1 km tile of Lambert-93 centred somewhere in a random commune.
        unit = rng.choice(territory.communes)
        west, south, east, north = unit.bbox
        lon = rng.uniform(west, east)
        lat = rng.uniform(south, north)
        x, y = reproject(
            shapely.Point(lon, lat), source_crs=WGS84, target_crs=LAMBERT93
        ).coords[0]
        x, y = int(x // TILE_M) * TILE_M, int(y // TILE_M) * TILE_M
        place = f"{x // 1000:04d}_{(y + TILE_M) // 1000:04d}"
        footprint, covers = _rectangle_lambert93(x, y, TILE_M), ()
    year = rng.randint(*template.years)
    day = _date(year, rng.randint(1, 12), rng.randint(1, 28))
    resolution = rng.choice([5, 10, 20, 50])
    text = {
        "name": place,
        "of_name": of_name(template.scope, unit, place),
        "year": year,
        "date": day.strftime("%d/%m/%Y"),
        "resolution": resolution,
    }
    producer = PRODUCERS[template.scope].format(
        name=unit.name, of_name=of_name("commune", unit, unit.name)
    )
    if template.scope == "departement":
        producer = PRODUCERS["departement"].format(of_name=text["of_name"])
    licence, licence_url = rng.choice(LICENCES)
    identifier = f"bench-{seed}-{index:07d}"
    uuid_like = hashlib.sha1(identifier.encode(), usedforsecurity=False).hexdigest()
    slug = _slug(f"{template.title.split(' {')[0]} {place}")[:80]
    keywords = [_inspire_keyword(code) for code in template.themes]
    if template.referentiel:
        keywords.insert(0, _referentiel_keyword(template.referentiel))
    keywords += _free_keywords(*rng.sample(template.words, min(2, len(template.words))))
    distributions = [
        _distribution(
            "wms",
            f"{BENCH_SITE}/geoserver/wms",
            name=slug.replace("-", "_"),
            title=template.title.format(**text),
            protocol="OGC:WMS",
        )
    ]
    if rng.random() < 0.6:
        distributions.append(
            _distribution(
                "download",
                f"{BENCH_SITE}/telechargement/{slug}-{year}.zip",
                media_type="application/zip",
                protocol="WWW:DOWNLOAD-1.0-http--download",
            )
        )
    return _record(
        identifier=f"{uuid_like[:8]}-{uuid_like[8:12]}-{uuid_like[12:16]}-"
        f"{uuid_like[16:20]}-{uuid_like[20:32]}",
        resource_identifier=f"{BENCH_SITE}/donnees/{identifier}",
        title=template.title.format(**text),
        abstract=template.abstract.format(**text),
        producer_name=producer,
        producer_email=f"sig@{_slug(producer)[:40]}.example.fr",
        referentiel=template.referentiel,
        created_on=_date(max(2000, year - rng.randint(0, 5)), 1, 15),
        published_on=day,
        revised_on=day if rng.random() < 0.5 else None,
        temporal_start=_date(year, 1, 1) if template.scope == "tile" else None,
        temporal_end=_date(year, 12, 31) if template.scope == "tile" else None,
        year=year,
        resolution_m=resolution / 100
        if template.referentiel == "orthophotographie"
        else None,
        scale_denominator=rng.choice([None, 2000, 5000, 25000])
        if template.scope != "tile"
        else None,
        licence=licence,
        licence_url=licence_url,
        lineage=f"Données produites par {producer} ({year}).",
        footprint=footprint,
        footprint_is_bbox=template.scope == "tile",
        keywords=keywords,
        distributions=distributions,
        covers=tuple(covers),
    )


def catalogue_records(
    territory: Territory, *, count: int, seed: int = 1, start: int = 0
) -> Iterator[dict]:
    for index in range(start, start + count):
        yield catalogue_record(territory, index, seed=seed)


# --- ISO 19139 and CSW output ------------------------------------------------------

ISO_NAMESPACES = (
    'xmlns:gmd="http://www.isotc211.org/2005/gmd" '
    'xmlns:gco="http://www.isotc211.org/2005/gco" '
    'xmlns:gml="http://www.opengis.net/gml" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
_DATE_TYPES = (
    ("created_on", "creation"),
    ("published_on", "publication"),
    ("revised_on", "revision"),
)
_CODELIST = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"


def _cs(text) -> str:
    return f"<gco:CharacterString>{escape(str(text))}</gco:CharacterString>"


def iso19139_document(record: dict, *, declaration: bool = True) -> bytes:
    """The record as an ISO 19139 ``gmd:MD_Metadata`` document (UTF-8)."""
    west, south, east, north = (
        record["footprint"].bounds if record["footprint"] is not None else (0, 0, 0, 0)
    )
    parts = []
    if declaration:
        parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    stamp = record["revised_on"] or record["published_on"] or _date(2024)
    level = record["level"]
    parts.append(
        f"<gmd:MD_Metadata {ISO_NAMESPACES}>"
        f"<gmd:fileIdentifier>{_cs(record['identifier'])}</gmd:fileIdentifier>"
        "<gmd:language><gmd:LanguageCode codeList="
        '"http://www.loc.gov/standards/iso639-2/" codeListValue="fre">fre'
        "</gmd:LanguageCode></gmd:language>"
        f"<gmd:hierarchyLevel><gmd:MD_ScopeCode codeList={quoteattr(_CODELIST)} "
        f'codeListValue="{level}">{level}</gmd:MD_ScopeCode></gmd:hierarchyLevel>'
        f"{_contact('contact', record)}"
        f"<gmd:dateStamp><gco:Date>{stamp.isoformat()}</gco:Date></gmd:dateStamp>"
        "<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation>"
        f"<gmd:CI_Citation><gmd:title>{_cs(record['title'])}</gmd:title>"
    )
    for name, kind in _DATE_TYPES:
        if record[name]:
            parts.append(
                "<gmd:date><gmd:CI_Date><gmd:date><gco:Date>"
                f"{record[name].isoformat()}</gco:Date></gmd:date><gmd:dateType>"
                f"<gmd:CI_DateTypeCode codeList={quoteattr(_CODELIST)} "
                f'codeListValue="{kind}">{kind}</gmd:CI_DateTypeCode></gmd:dateType>'
                "</gmd:CI_Date></gmd:date>"
            )
    if record["resource_identifier"]:
        parts.append(
            "<gmd:identifier><gmd:MD_Identifier><gmd:code>"
            f"{_cs(record['resource_identifier'])}</gmd:code></gmd:MD_Identifier>"
            "</gmd:identifier>"
        )
    parts.append(
        "</gmd:CI_Citation></gmd:citation>"
        f"<gmd:abstract>{_cs(record['abstract'])}</gmd:abstract>"
        f"{_contact('pointOfContact', record)}"
    )
    groups: dict[str, list[str]] = {}
    for _kind, _code, label, thesaurus in record["keywords"]:
        groups.setdefault(thesaurus, []).append(label)
    for thesaurus, labels in groups.items():
        parts.append("<gmd:descriptiveKeywords><gmd:MD_Keywords>")
        parts += [f"<gmd:keyword>{_cs(label)}</gmd:keyword>" for label in labels]
        if thesaurus:
            parts.append(
                "<gmd:thesaurusName><gmd:CI_Citation>"
                f"<gmd:title>{_cs(thesaurus)}</gmd:title>"
                "</gmd:CI_Citation></gmd:thesaurusName>"
            )
        parts.append("</gmd:MD_Keywords></gmd:descriptiveKeywords>")
    if record["licence"]:
        parts.append(
            "<gmd:resourceConstraints><gmd:MD_LegalConstraints>"
            "<gmd:useConstraints><gmd:MD_RestrictionCode "
            f'codeList={quoteattr(_CODELIST)} codeListValue="otherRestrictions">'
            "otherRestrictions</gmd:MD_RestrictionCode></gmd:useConstraints>"
            f"<gmd:otherConstraints>{_cs(record['licence'])}</gmd:otherConstraints>"
            "</gmd:MD_LegalConstraints></gmd:resourceConstraints>"
        )
    if record["resolution_m"]:
        parts.append(
            "<gmd:spatialResolution><gmd:MD_Resolution><gmd:distance>"
            f'<gco:Distance uom="m">{record["resolution_m"]}</gco:Distance>'
            "</gmd:distance></gmd:MD_Resolution></gmd:spatialResolution>"
        )
    elif record["scale_denominator"]:
        parts.append(
            "<gmd:spatialResolution><gmd:MD_Resolution><gmd:equivalentScale>"
            "<gmd:MD_RepresentativeFraction><gmd:denominator><gco:Integer>"
            f"{record['scale_denominator']}</gco:Integer></gmd:denominator>"
            "</gmd:MD_RepresentativeFraction></gmd:equivalentScale>"
            "</gmd:MD_Resolution></gmd:spatialResolution>"
        )
    parts.append(
        "<gmd:language><gmd:LanguageCode codeList="
        '"http://www.loc.gov/standards/iso639-2/" codeListValue="fre">fre'
        "</gmd:LanguageCode></gmd:language>"
        "<gmd:topicCategory><gmd:MD_TopicCategoryCode>planningCadastre"
        "</gmd:MD_TopicCategoryCode></gmd:topicCategory>"
        "<gmd:extent><gmd:EX_Extent>"
    )
    if record["footprint"] is not None:
        parts.append(
            "<gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
            f"<gmd:westBoundLongitude><gco:Decimal>{west:.6f}</gco:Decimal>"
            "</gmd:westBoundLongitude>"
            f"<gmd:eastBoundLongitude><gco:Decimal>{east:.6f}</gco:Decimal>"
            "</gmd:eastBoundLongitude>"
            f"<gmd:southBoundLatitude><gco:Decimal>{south:.6f}</gco:Decimal>"
            "</gmd:southBoundLatitude>"
            f"<gmd:northBoundLatitude><gco:Decimal>{north:.6f}</gco:Decimal>"
            "</gmd:northBoundLatitude>"
            "</gmd:EX_GeographicBoundingBox></gmd:geographicElement>"
        )
    if record["temporal_start"]:
        end = record["temporal_end"]
        parts.append(
            "<gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>"
            f'<gml:TimePeriod gml:id="tp-{escape(record["identifier"])}">'
            f"<gml:beginPosition>{record['temporal_start'].isoformat()}"
            "</gml:beginPosition>"
            + (
                f"<gml:endPosition>{end.isoformat()}</gml:endPosition>"
                if end
                else '<gml:endPosition indeterminatePosition="now"/>'
            )
            + "</gml:TimePeriod></gmd:extent></gmd:EX_TemporalExtent>"
            "</gmd:temporalElement>"
        )
    parts.append(
        "</gmd:EX_Extent></gmd:extent></gmd:MD_DataIdentification>"
        "</gmd:identificationInfo>"
    )
    if record["distributions"]:
        parts.append(
            "<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions>"
            "<gmd:MD_DigitalTransferOptions>"
        )
        for link in record["distributions"]:
            parts.append(
                "<gmd:onLine><gmd:CI_OnlineResource>"
                f"<gmd:linkage><gmd:URL>{escape(link['url'])}</gmd:URL></gmd:linkage>"
                f"<gmd:protocol>{_cs(link['protocol'])}</gmd:protocol>"
                f"<gmd:name>{_cs(link['name'])}</gmd:name>"
                f"<gmd:description>{_cs(link['title'])}</gmd:description>"
                "</gmd:CI_OnlineResource></gmd:onLine>"
            )
        parts.append(
            "</gmd:MD_DigitalTransferOptions></gmd:transferOptions>"
            "</gmd:MD_Distribution></gmd:distributionInfo>"
        )
    if record["lineage"]:
        parts.append(
            "<gmd:dataQualityInfo><gmd:DQ_DataQuality><gmd:scope><gmd:DQ_Scope>"
            f"<gmd:level><gmd:MD_ScopeCode codeList={quoteattr(_CODELIST)} "
            f'codeListValue="{level}">{level}</gmd:MD_ScopeCode></gmd:level>'
            "</gmd:DQ_Scope></gmd:scope><gmd:lineage><gmd:LI_Lineage>"
            f"<gmd:statement>{_cs(record['lineage'])}</gmd:statement>"
            "</gmd:LI_Lineage></gmd:lineage></gmd:DQ_DataQuality>"
            "</gmd:dataQualityInfo>"
        )
    parts.append("</gmd:MD_Metadata>")
    return "".join(parts).encode()


def _contact(element: str, record: dict) -> str:
    email = ""
    if record["producer_email"]:
        email = (
            "<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>"
            f"<gmd:electronicMailAddress>{_cs(record['producer_email'])}"
            "</gmd:electronicMailAddress></gmd:CI_Address></gmd:address>"
            "</gmd:CI_Contact></gmd:contactInfo>"
        )
    return (
        f"<gmd:{element}><gmd:CI_ResponsibleParty>"
        f"<gmd:organisationName>{_cs(record['producer_name'])}</gmd:organisationName>"
        f"{email}<gmd:role><gmd:CI_RoleCode codeList={quoteattr(_CODELIST)} "
        'codeListValue="pointOfContact">pointOfContact</gmd:CI_RoleCode></gmd:role>'
        f"</gmd:CI_ResponsibleParty></gmd:{element}>"
    )


def csw_getrecords_response(
    documents: Sequence[bytes], *, matched: int, next_record: int
) -> bytes:
    """A CSW 2.0.2 GetRecordsResponse (ISO 19139) wrapping documents written by
    ``iso19139_document(..., declaration=False)``; ``next_record`` 0 on the last
    page."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'version="2.0.2"><csw:SearchStatus timestamp="2025-01-01T00:00:00Z"/>'
        f'<csw:SearchResults numberOfRecordsMatched="{matched}" '
        f'numberOfRecordsReturned="{len(documents)}" nextRecord="{next_record}" '
        'recordSchema="http://www.isotc211.org/2005/gmd" elementSet="full">'
    ).encode()
    return head + b"".join(documents) + b"</csw:SearchResults></csw:GetRecordsResponse>"


def footprint_geojson(record: dict) -> str:
    """The footprint as compact GeoJSON text (the storage form)."""
    return json.dumps(
        shapely.geometry.mapping(record["footprint"]), separators=(",", ":")
    )


def territory_to_json(territory: Territory) -> str:
    """The snapshot as JSON, for a process that has no access to the database."""

    def unit(u: Unit) -> dict:
        return {
            "code": u.code,
            "name": u.name,
            "outline": u.outline,
            "bbox": list(u.bbox),
            "departement": u.departement,
            "epci": u.epci,
            "kind": u.kind,
            "population": u.population,
            "members": list(u.members),
        }

    return json.dumps(
        {
            "region_name": territory.region_name,
            "region_bbox": list(territory.region_bbox),
            "region_outline": territory.region_outline,
            "communes": [unit(u) for u in territory.communes],
            "epcis": [unit(u) for u in territory.epcis],
            "departements": [unit(u) for u in territory.departements],
        }
    )


def territory_from_json(text: str) -> Territory:
    data = json.loads(text)

    def units(rows) -> tuple[Unit, ...]:
        return tuple(
            Unit(
                **{**row, "bbox": tuple(row["bbox"]), "members": tuple(row["members"])}
            )
            for row in rows
        )

    return Territory(
        region_name=data["region_name"],
        region_bbox=tuple(data["region_bbox"]),
        region_outline=data["region_outline"],
        communes=units(data["communes"]),
        epcis=units(data["epcis"]),
        departements=units(data["departements"]),
    )
