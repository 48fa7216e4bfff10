"""Needs demo: needs of the six référentiels (and a few other themes) across
Occitanie, expressed by the members demo's organisations, supported by others,
moved through every state by the secretariat, scored with published weights, and
one closed prioritisation round for 2024.

Everything is written through the needs services (``need_create``,
``support_create``, ``need_transition``, ``need_merge``, ``weights_publish``,
``round_create``, ``round_open``, ``ballot_submit``, ``round_close``), so the demo
exercises the real code: territories go through ``territory_selection``,
histories and consolidated territories are the services' own.

Territories are chosen where the catalogue demo (``catalog.generate``) covers
them in part, so the catalogue matching has something to say: the 5 cm
orthophoto of Montpellier against its 8 cm one, the PCRS of Tarbes-Lourdes half
delivered, LIDAR HD blocks not flown yet in the east of the Pyrenees, OCS GE
missing in some départements, ERP records of the Aude getting old.

Each organisation writes through one demo person (``besoins.<slug>@demo.crig.
example``, no password: nobody signs in as them), a referent of it so that it
can also cast the round's ballot; Toulouse Métropole writes through the members
demo's ``membre@`` and votes through ``referent@``. Needs, supports and persons
are titled, so a second run finds them and changes nothing. Runs after the
members demo (and best after the catalogue demo, which the matching reads).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from crig.members import services as members_services
from crig.members.models import Membership, Organisation, User
from crig.needs import services
from crig.needs.models import (
    Ballot,
    Need,
    NeedEvent,
    Round,
    ScoringWeights,
    Support,
    Theme,
)
from crig.territory.selection import territory_selection

State = Need.State
PlanFit = Need.PlanFit
SECRETARIAT_EMAIL = "secretariat@demo.crig.example"
MEMBER_EMAIL = "membre@demo.crig.example"
REFERENT_EMAIL = "referent@demo.crig.example"
TOULOUSE_METROPOLE = "243100518"
REGION_DEPARTEMENTS = [
    "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
]  # fmt: skip

# The Thau lagoon and its shores (Sète, Mèze, Marseillan…), drawn by hand: WGS84,
# counter-clockwise as RFC 7946 wants.
THAU_LAGOON = {
    "type": "Polygon",
    "coordinates": [
        [
            [3.515, 43.392],
            [3.515, 43.360],
            [3.560, 43.340],
            [3.620, 43.370],
            [3.700, 43.405],
            [3.712, 43.440],
            [3.650, 43.470],
            [3.575, 43.440],
            [3.515, 43.392],
        ]
    ],
}


@dataclass(frozen=True)
class DemoTerritory:
    communes: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    drawn: dict | None = None


@dataclass(frozen=True)
class DemoSupport:
    organisation: str  # acronym, SIREN or name
    comment: str
    territory: DemoTerritory | None = None  # the need's own when None
    cofunding: tuple[int, int] | None = None


@dataclass(frozen=True)
class DemoNeed:
    key: str
    organisation: str  # acronym, SIREN or name
    title: str
    theme: str
    description: str
    territory: DemoTerritory
    intended_use: str = ""
    precision: str = ""
    resolution_m: float | None = None
    years_ahead: int = 2  # horizon: 30 June of this year + years_ahead
    cofunding: tuple[int, int] | None = None
    supports: list[DemoSupport] = field(default_factory=list)
    # The secretariat's decisions, in order: (state, plan fit, public answer).
    decisions: list[tuple[str, str | None, str]] = field(default_factory=list)
    merge_into: str = ""  # key of the need this duplicate is merged into
    draft: bool = False
    by_member_account: bool = False  # written by the members demo's membre@


QUALIFY_FULL = (State.QUALIFIED, PlanFit.FULL, "")
QUALIFY_PARTIAL = (State.QUALIFIED, PlanFit.PARTIAL, "")
QUALIFY_NONE = (State.QUALIFIED, PlanFit.NONE, "")

NEEDS = [
    # --- Orthophotographie ---------------------------------------------------------
    DemoNeed(
        key="ortho-3m",
        organisation="243400017",
        title="Orthophotographie 5 cm de Montpellier Méditerranée Métropole",
        theme=Theme.ORTHOPHOTO,
        description=(
            "Une orthophotographie à 5 cm sur les 31 communes de la métropole, pour "
            "la mise à jour du PCRS image, l'inventaire du patrimoine arboré et le "
            "suivi des chantiers du tramway. L'orthophotographie 2023 à 8 cm ne "
            "permet pas de lire les affleurants de voirie."
        ),
        territory=DemoTerritory(epcis=["243400017"]),
        intended_use="PCRS image, gestion du patrimoine arboré, voirie.",
        precision="5 cm",
        resolution_m=0.05,
        cofunding=(40_000, 80_000),
        supports=[
            DemoSupport(
                "SDIS 34",
                "La prévision opérationnelle a besoin des accès et des points d'eau "
                "à cette précision.",
                cofunding=(5_000, 10_000),
            ),
            DemoSupport(
                "UM",
                "Pour les travaux de télédétection urbaine des laboratoires du campus.",
                DemoTerritory(communes=["34172"]),
            ),
            DemoSupport(
                "Geomatys",
                "Nous produisons les services de visualisation de plusieurs "
                "communes de la métropole.",
                DemoTerritory(communes=["34172", "34057", "34129"]),
            ),
        ],
        decisions=[
            QUALIFY_FULL,
            (
                State.RETAINED,
                None,
                "Retenu au plan d'actions 2025 : acquisition groupée avec le "
                "PCRS de la métropole, prises de vues au printemps.",
            ),
        ],
    ),
    DemoNeed(
        key="ortho-nimes",
        organisation="243000643",
        title="Orthophotographie 8 cm de Nîmes Métropole",
        theme=Theme.ORTHOPHOTO,
        description=(
            "Couvrir les 39 communes de l'agglomération à 8 cm pour l'instruction "
            "des autorisations d'urbanisme ; seule la BD ORTHO départementale à "
            "20 cm est disponible aujourd'hui."
        ),
        territory=DemoTerritory(epcis=["243000643"]),
        intended_use="Instruction du droit des sols, suivi de l'étalement urbain.",
        precision="8 cm",
        resolution_m=0.08,
        cofunding=(20_000, 35_000),
        supports=[
            DemoSupport(
                "CD30",
                "Le Département l'utiliserait pour ses routes sur le même territoire.",
                cofunding=(5_000, 5_000),
            )
        ],
        decisions=[QUALIFY_PARTIAL],
    ),
    DemoNeed(
        key="ortho-albi",
        organisation="248100737",
        title="Orthophotographie 2 cm du centre historique d'Albi",
        theme=Theme.ORTHOPHOTO,
        description=(
            "Une orthophotographie à 2 cm de la cité épiscopale pour le plan de "
            "gestion du bien inscrit au patrimoine mondial."
        ),
        territory=DemoTerritory(communes=["81004"]),
        precision="2 cm",
        resolution_m=0.02,
        years_ahead=1,
        decisions=[
            (
                State.REJECTED,
                PlanFit.NONE,
                "Non retenu : un besoin aussi local relève d'une commande de la "
                "ville, que le CRIG peut aider à rédiger ; la BD ORTHO 20 cm et "
                "le futur PCRS du Tarn couvrent les usages partagés.",
            )
        ],
    ),
    DemoNeed(
        key="ortho-irc-region",
        organisation="Région Occitanie",
        title="Orthophotographie infrarouge couleur de toute la région",
        theme=Theme.ORTHOPHOTO,
        description=(
            "Une couverture régionale homogène en infrarouge couleur à 20 cm, "
            "la même année partout, pour le suivi de la végétation et des "
            "surfaces imperméabilisées."
        ),
        territory=DemoTerritory(departements=REGION_DEPARTEMENTS),
        intended_use="Trame verte et bleue, suivi de l'artificialisation.",
        precision="20 cm, proche infrarouge",
        resolution_m=0.2,
        years_ahead=3,
        cofunding=(150_000, 300_000),
    ),
    # --- PCRS ----------------------------------------------------------------------
    DemoNeed(
        key="pcrs-toulouse",
        organisation=TOULOUSE_METROPOLE,
        by_member_account=True,
        title="PCRS vecteur de Toulouse Métropole",
        theme=Theme.PCRS,
        description=(
            "Passer du PCRS image à un PCRS vecteur de classe A sur les 37 "
            "communes, pour répondre aux déclarations de travaux (DT-DICT) et "
            "partager un fond commun avec les gestionnaires de réseaux."
        ),
        territory=DemoTerritory(epcis=[TOULOUSE_METROPOLE]),
        intended_use="Réforme anti-endommagement des réseaux (DT-DICT).",
        precision="classe A (10 cm)",
        resolution_m=0.05,
        cofunding=(120_000, 200_000),
        supports=[
            DemoSupport(
                "SDIS 31",
                "Même besoin pour la ville de Toulouse, où se concentrent nos "
                "interventions.",
                DemoTerritory(communes=["31555"]),
            ),
            DemoSupport(
                "AUAT",
                "Fond de plan commun aux études d'espaces publics de l'agence.",
            ),
            DemoSupport(
                "OGE Toulouse",
                "Les géomètres-experts sont prêts à contribuer aux levés de "
                "mise à jour.",
                cofunding=(2_000, 5_000),
            ),
        ],
        decisions=[
            QUALIFY_FULL,
            (
                State.RETAINED,
                None,
                "Retenu : action 7 du plan 2025 (PCRS mutualisé), maîtrise "
                "d'ouvrage Toulouse Métropole avec le concours des gestionnaires "
                "de réseaux.",
            ),
        ],
    ),
    DemoNeed(
        key="pcrs-tarbes",
        organisation="200069300",
        title="Achever le PCRS de Tarbes-Lourdes-Pyrénées",
        theme=Theme.PCRS,
        description=(
            "La moitié des communes de l'agglomération ont reçu leur PCRS ; il "
            "reste les communes de montagne, où les levés sont plus coûteux."
        ),
        territory=DemoTerritory(epcis=["200069300"]),
        precision="classe A",
        resolution_m=0.05,
        cofunding=(30_000, 60_000),
        supports=[
            DemoSupport(
                "CD65",
                "Le Département cofinance pour ses routes de montagne.",
                cofunding=(10_000, 20_000),
            )
        ],
        decisions=[QUALIFY_FULL],
    ),
    DemoNeed(
        key="pcrs-narbonne",
        organisation="241100593",
        title="PCRS image du Grand Narbonne",
        theme=Theme.PCRS,
        description=(
            "Un PCRS image à 5 cm sur les 37 communes ; l'acquisition est "
            "programmée mais aucune donnée n'est encore livrée."
        ),
        territory=DemoTerritory(epcis=["241100593"]),
        precision="5 cm",
        resolution_m=0.05,
        cofunding=(25_000, 50_000),
        supports=[
            DemoSupport(
                "DDTM 11",
                "Utile à la prévention des submersions marines sur le littoral.",
                DemoTerritory(communes=["11262", "11145", "11170"]),
            )
        ],
    ),
    DemoNeed(
        key="pcrs-perpignan",
        organisation="200027183",
        title="PCRS de Perpignan Méditerranée Métropole",
        theme=Theme.PCRS,
        description="Un PCRS image conforme au standard CNIG v2.0.",
        territory=DemoTerritory(epcis=["200027183"]),
        precision="5 cm",
        resolution_m=0.05,
        years_ahead=1,
        decisions=[
            QUALIFY_FULL,
            (
                State.RETAINED,
                None,
                "Retenu au plan 2023, acquisition mutualisée avec la Région.",
            ),
            (
                State.SATISFIED,
                None,
                "Satisfait : le PCRS image est livré et publié ; il figure au "
                "catalogue.",
            ),
        ],
    ),
    # --- LIDAR ---------------------------------------------------------------------
    DemoNeed(
        key="lidar-pyrenees",
        organisation="CD65",
        title="LIDAR HD des Pyrénées pour les risques naturels",
        theme=Theme.LIDAR,
        description=(
            "Un nuage de points LIDAR HD classé sur la chaîne pyrénéenne, pour "
            "cartographier les couloirs d'avalanche, les laves torrentielles et "
            "les glissements de terrain. Le programme national n'a pas encore "
            "survolé l'est de la chaîne."
        ),
        territory=DemoTerritory(departements=["09", "65", "66"]),
        intended_use="Plans de prévention des risques, gestion forestière.",
        precision="10 points/m²",
        resolution_m=0.5,
        cofunding=(30_000, 60_000),
        supports=[
            DemoSupport(
                "CD09",
                "Le Département de l'Ariège cofinance sur son territoire.",
                DemoTerritory(departements=["09"]),
                cofunding=(15_000, 30_000),
            ),
            DemoSupport(
                "CD66",
                "Le Département des Pyrénées-Orientales cofinance sur son "
                "territoire, dont l'est n'est pas couvert.",
                DemoTerritory(departements=["66"]),
                cofunding=(15_000, 30_000),
            ),
            DemoSupport(
                "DDTM 66",
                "Pour la révision des plans de prévention des risques.",
                DemoTerritory(departements=["66"]),
            ),
        ],
        decisions=[QUALIFY_PARTIAL],
    ),
    DemoNeed(
        key="lidar-ariege",
        organisation="CEN Occitanie",
        title="LIDAR HD de l'Ariège pour les tourbières de montagne",
        theme=Theme.LIDAR,
        description=(
            "Un modèle numérique de terrain fin pour délimiter les tourbières et "
            "zones humides d'altitude de l'Ariège."
        ),
        territory=DemoTerritory(departements=["09"]),
        precision="MNT 50 cm",
        resolution_m=0.5,
        merge_into="lidar-pyrenees",
    ),
    DemoNeed(
        key="lidar-thau",
        organisation="DDTM 34",
        title="LIDAR topo-bathymétrique de l'étang de Thau",
        theme=Theme.LIDAR,
        description=(
            "Un levé LIDAR topo-bathymétrique de la lagune et de ses rives, pour "
            "modéliser la submersion et suivre l'érosion du lido de Sète à "
            "Marseillan."
        ),
        territory=DemoTerritory(drawn=THAU_LAGOON),
        intended_use="Risque de submersion marine, gestion du trait de côte.",
        precision="20 cm en altimétrie",
        resolution_m=0.5,
        cofunding=(20_000, 40_000),
        supports=[
            DemoSupport(
                "MTD",
                "Données de référence pour nos travaux sur les herbiers de la lagune.",
            )
        ],
    ),
    DemoNeed(
        key="lidar-lot",
        organisation="CD46",
        title="LIDAR HD des vallées du Lot et du Célé",
        theme=Theme.LIDAR,
        description=(
            "Les produits dérivés du LIDAR HD (MNT, MNS) pour les zones "
            "inondables des vallées du Lot et du Célé."
        ),
        territory=DemoTerritory(departements=["46"]),
        precision="MNT 50 cm",
        resolution_m=0.5,
    ),
    # --- Occupation du sol ---------------------------------------------------------
    DemoNeed(
        key="ocsge-gard",
        organisation="CD30",
        title="OCS GE du Gard pour le suivi du zéro artificialisation nette",
        theme=Theme.LAND_COVER,
        description=(
            "Un millésime récent de l'OCS GE sur tout le Gard, pour mesurer "
            "la consommation d'espaces depuis 2021 et accompagner les SCoT."
        ),
        territory=DemoTerritory(departements=["30"]),
        intended_use="Trajectoire ZAN des SCoT et des PLUi.",
        years_ahead=1,
        cofunding=(10_000, 25_000),
        supports=[
            DemoSupport(
                "243000643",
                "Nîmes Métropole révise son SCoT.",
                DemoTerritory(epcis=["243000643"]),
                cofunding=(5_000, 8_000),
            ),
            DemoSupport(
                "CEN Occitanie",
                "Pour le suivi des milieux ouverts des garrigues.",
            ),
        ],
        decisions=[QUALIFY_FULL],
    ),
    DemoNeed(
        key="ocsge-region",
        organisation="DREAL Occitanie",
        title="OCS GE millésime 2024 de toute la région",
        theme=Theme.LAND_COVER,
        description=(
            "Un millésime commun à toute la région, pour comparer les "
            "territoires à la même date."
        ),
        territory=DemoTerritory(departements=REGION_DEPARTEMENTS),
        years_ahead=2,
    ),
    DemoNeed(
        key="ocsge-aveyron",
        organisation="CD12",
        title="OCS GE de l'Aveyron",
        theme=Theme.LAND_COVER,
        description="La première OCS GE de l'Aveyron, attendue par les SCoT.",
        territory=DemoTerritory(departements=["12"]),
        decisions=[
            QUALIFY_PARTIAL,
            (
                State.RETAINED,
                None,
                "Retenu : production confiée à l'IGN dans le cadre du programme "
                "national, livraison attendue l'an prochain.",
            ),
        ],
    ),
    # --- Adresses ------------------------------------------------------------------
    DemoNeed(
        key="adresses-lozere",
        organisation="CD48",
        title="Adressage des petites communes de l'Aubrac lozérien",
        theme=Theme.ADDRESSES,
        description=(
            "Accompagner cinq communes de moins de cent habitants dans la "
            "création de leur base adresse locale : les secours et les "
            "livraisons ne trouvent pas les hameaux."
        ),
        territory=DemoTerritory(communes=["48192", "48191", "48187", "48073", "48085"]),
        intended_use="Secours, fibre optique, livraisons.",
        years_ahead=1,
        cofunding=(2_000, 5_000),
        supports=[
            DemoSupport(
                "OGE Montpellier",
                "Les géomètres-experts de Lozère peuvent faire les relevés.",
            )
        ],
    ),
    DemoNeed(
        key="adresses-gers",
        organisation="CD32",
        title="Bases adresses locales des communes du Gers",
        theme=Theme.ADDRESSES,
        description=(
            "Aider toutes les communes du Gers sans base adresse locale à en "
            "publier une dans la Base Adresse Nationale."
        ),
        territory=DemoTerritory(departements=["32"]),
        decisions=[QUALIFY_NONE],
    ),
    DemoNeed(
        key="adresses-sicoval",
        organisation="243100633",
        title="Certification des adresses du Sicoval",
        theme=Theme.ADDRESSES,
        description="Certifier les adresses des 36 communes de l'agglomération.",
        territory=DemoTerritory(epcis=["243100633"]),
        years_ahead=1,
        decisions=[
            QUALIFY_FULL,
            (
                State.RETAINED,
                None,
                "Retenu : accompagnement par le groupe de travail Adresse.",
            ),
            (
                State.SATISFIED,
                None,
                "Satisfait : les adresses sont certifiées dans la Base Adresse "
                "Nationale.",
            ),
        ],
    ),
    # --- ERP -----------------------------------------------------------------------
    DemoNeed(
        key="erp-aude",
        organisation="DDTM 11",
        title="Mise à jour des établissements recevant du public de l'Aude",
        theme=Theme.ERP,
        description=(
            "Géolocaliser à l'entrée les ERP de l'Aude et mettre à jour leur "
            "type et leur catégorie ; la base actuelle date de plusieurs années."
        ),
        territory=DemoTerritory(departements=["11"]),
        intended_use="Commissions de sécurité, plans communaux de sauvegarde.",
        years_ahead=1,
        supports=[
            DemoSupport(
                "241100593",
                "Pour les plans de sauvegarde des communes de l'agglomération.",
                DemoTerritory(epcis=["241100593"]),
            )
        ],
        decisions=[QUALIFY_PARTIAL],
    ),
    DemoNeed(
        key="erp-tarn-et-garonne",
        organisation="CD82",
        title="Recensement des ERP du Tarn-et-Garonne",
        theme=Theme.ERP,
        description="Aucune base ERP n'existe pour le département.",
        territory=DemoTerritory(departements=["82"]),
    ),
    DemoNeed(
        key="erp-toulouse-3d",
        organisation=TOULOUSE_METROPOLE,
        by_member_account=True,
        draft=True,
        title="Accessibilité des ERP de Toulouse Métropole",
        theme=Theme.ERP,
        description=(
            "Brouillon : compléter la base ERP de la métropole avec les "
            "informations d'accessibilité (entrées, rampes, ascenseurs)."
        ),
        territory=DemoTerritory(epcis=[TOULOUSE_METROPOLE]),
    ),
    # --- Other themes --------------------------------------------------------------
    DemoNeed(
        key="hydro-herault",
        organisation="CD34",
        title="Référentiel hydrographique à grande échelle du bassin de l'Hérault",
        theme=Theme.HYDROGRAPHY,
        description=(
            "Un tracé des cours d'eau cohérent avec le LIDAR HD, pour la police "
            "de l'eau et l'entretien des berges."
        ),
        territory=DemoTerritory(departements=["34"]),
    ),
    DemoNeed(
        key="mobilite-aire-toulousaine",
        organisation="AUAT",
        title="Aménagements cyclables de l'aire toulousaine",
        theme=Theme.MOBILITY,
        description=(
            "Une base commune des aménagements cyclables au schéma national, "
            "tenue par les trois intercommunalités."
        ),
        territory=DemoTerritory(epcis=[TOULOUSE_METROPOLE, "200068641", "243100633"]),
        supports=[
            DemoSupport(
                "243100633",
                "Le Sicoval tiendra la base sur son territoire.",
                DemoTerritory(epcis=["243100633"]),
            )
        ],
    ),
]

WEIGHTS = {
    "supporters": 3,
    "population": 2,
    "area": 1,
    "coverage_gap": 3,
    "urgency": 1,
    "cofunding": 2,
    "plan_fit": 2,
}
WEIGHTS_NOTE = (
    "Pondération adoptée en comité du CRIG : le nombre d'organisations "
    "derrière un besoin et le manque de données au catalogue comptent le plus, "
    "parce qu'une acquisition mutualisée doit servir le plus grand nombre là "
    "où rien n'existe ; la population compte double de la surface, pour ne pas "
    "favoriser les seuls territoires ruraux étendus ; l'urgence compte peu, "
    "chacun déclarant des échéances proches."
)
ROUND_YEAR = 2024
ROUND_TITLE = "Priorisation des acquisitions mutualisées 2024"
ROUND_DESCRIPTION = (
    "Les référents des organisations membres classent les six besoins "
    "présélectionnés par le secrétariat ; le résultat oriente le plan "
    "d'actions de l'année suivante."
)
SHORTLIST = [
    "ortho-3m",
    "pcrs-toulouse",
    "lidar-pyrenees",
    "ocsge-gard",
    "pcrs-tarbes",
    "erp-aude",
]
# Each organisation's ballot, most wanted first (keys of SHORTLIST).
BALLOTS = {
    TOULOUSE_METROPOLE: [
        "pcrs-toulouse", "ortho-3m", "lidar-pyrenees", "pcrs-tarbes", "ocsge-gard",
        "erp-aude",
    ],
    "243400017": [
        "ortho-3m", "pcrs-toulouse", "ocsge-gard", "lidar-pyrenees", "erp-aude",
        "pcrs-tarbes",
    ],
    "CD31": [
        "pcrs-toulouse", "lidar-pyrenees", "ortho-3m", "ocsge-gard", "pcrs-tarbes",
        "erp-aude",
    ],
    "CD65": [
        "lidar-pyrenees", "pcrs-tarbes", "pcrs-toulouse", "ocsge-gard", "ortho-3m",
        "erp-aude",
    ],
    "CD30": [
        "ocsge-gard", "ortho-3m", "lidar-pyrenees", "pcrs-toulouse", "erp-aude",
        "pcrs-tarbes",
    ],
    "Région Occitanie": [
        "lidar-pyrenees", "ortho-3m", "ocsge-gard", "pcrs-toulouse", "pcrs-tarbes",
        "erp-aude",
    ],
    "DREAL Occitanie": [
        "ocsge-gard", "lidar-pyrenees", "ortho-3m", "erp-aude", "pcrs-toulouse",
        "pcrs-tarbes",
    ],
    "SDIS 34": [
        "ortho-3m", "erp-aude", "lidar-pyrenees", "pcrs-toulouse", "ocsge-gard",
        "pcrs-tarbes",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class DemoReport:
    needs_created: int
    supports_created: int
    needs: int
    round_id: int


def _organisation(key: str) -> Organisation:
    """An organisation of the members demo by acronym, SIREN or name."""
    return Organisation.objects.get(Q(acronym=key) | Q(siren=key) | Q(name=key))


def _demo_person(organisation: Organisation) -> User:
    """The organisation's demo person, a referent of it (created once, without a
    password)."""
    email = f"besoins.{organisation.slug}@demo.crig.example"
    person = User.objects.filter(email=email).first()
    if person is None:
        label = organisation.acronym or organisation.name
        person = User.objects.create_user(
            email, None, full_name=f"Contact démo {label}"[:150]
        )
    _ensure_referent(person, organisation)
    return person


def _ensure_referent(person: User, organisation: Organisation) -> None:
    membership = Membership.objects.filter(
        person=person, organisation=organisation
    ).first()
    if membership is None:
        members_services.membership_add(
            person=person, organisation=organisation, role=Membership.Role.REFERENT
        )
    elif membership.role != Membership.Role.REFERENT:
        members_services.membership_set_role(
            person=person, organisation=organisation, role=Membership.Role.REFERENT
        )


def _author(spec: DemoNeed, organisation: Organisation) -> User:
    if spec.by_member_account:
        return User.objects.get(email=MEMBER_EMAIL)
    return _demo_person(organisation)


def _selection(territory: DemoTerritory):
    return territory_selection(
        communes=territory.communes,
        epcis=territory.epcis,
        departements=territory.departements,
        drawn=territory.drawn,
    )


def _horizon(years_ahead: int) -> datetime.date:
    return datetime.date(timezone.localdate().year + years_ahead, 6, 30)


def _create_need(spec: DemoNeed, secretariat: User) -> tuple[Need, int]:
    """The need with its supports and the secretariat's decisions; and the number
    of supports created."""
    organisation = _organisation(spec.organisation)
    low, high = spec.cofunding or (None, None)
    need = services.need_create(
        author=_author(spec, organisation),
        organisation=organisation,
        data=services.NeedData(
            title=spec.title,
            description=spec.description,
            theme=spec.theme,
            precision=spec.precision,
            resolution_m=spec.resolution_m,
            horizon=_horizon(spec.years_ahead),
            intended_use=spec.intended_use,
            cofunding_min=low,
            cofunding_max=high,
        ),
        territory=_selection(spec.territory),
        submit=not spec.draft,
    )
    for support in spec.supports:
        supporter = _organisation(support.organisation)
        low, high = support.cofunding or (None, None)
        services.support_create(
            author=_demo_person(supporter),
            need=need,
            organisation=supporter,
            data=services.SupportData(
                comment=support.comment, cofunding_min=low, cofunding_max=high
            ),
            territory=_selection(support.territory) if support.territory else None,
        )
    for state, plan_fit, answer in spec.decisions:
        need = services.need_transition(
            actor=secretariat,
            need=need,
            to_state=state,
            answer=answer,
            plan_fit=plan_fit,
        )
    return need, len(spec.supports)


def _existing(spec: DemoNeed) -> Need | None:
    return Need.objects.filter(
        organisation=_organisation(spec.organisation), title=spec.title
    ).first()


def _ensure_round(needs: dict[str, Need], secretariat: User) -> Round:
    round_ = Round.objects.filter(year=ROUND_YEAR, title=ROUND_TITLE).first()
    if round_ is not None:
        return round_
    round_ = services.round_create(
        actor=secretariat,
        year=ROUND_YEAR,
        title=ROUND_TITLE,
        description=ROUND_DESCRIPTION,
        need_ids=[needs[key].pk for key in SHORTLIST],
    )
    round_ = services.round_open(actor=secretariat, round_=round_)
    for key, ranking in BALLOTS.items():
        organisation = _organisation(key)
        if key == TOULOUSE_METROPOLE:
            voter = User.objects.get(email=REFERENT_EMAIL)
        else:
            voter = _demo_person(organisation)
        services.ballot_submit(
            actor=voter,
            round_=round_,
            organisation=organisation,
            ranking=[needs[item].pk for item in ranking],
        )
    return services.round_close(actor=secretariat, round_=round_)


# --- History ---------------------------------------------------------------------
# The services stamp everything "now"; a demo read in the yearly report and on the
# needs' pages should look like two years of the council's life. So needs created
# by this run are moved back in time, keeping the order of their history: the
# shortlisted ones before the 2024 round, the others spread over 2024–2025.
HISTORY_START = datetime.datetime(2024, 2, 5, 10, 0, tzinfo=datetime.UTC)
ROUND_OPENED = datetime.datetime(2024, 10, 14, 9, 0, tzinfo=datetime.UTC)
ROUND_CLOSED = datetime.datetime(2024, 11, 29, 17, 0, tzinfo=datetime.UTC)


def _submitted_on(index: int, shortlisted: bool) -> datetime.datetime:
    if shortlisted:
        return HISTORY_START + datetime.timedelta(days=23 * index)
    return HISTORY_START + datetime.timedelta(days=120 + 29 * index)


def _move_back(need: Need, when: datetime.datetime) -> None:
    """Shift the need, its supports and its history so that it was created at
    ``when``; decisions keep their spacing (compressed to days)."""
    events = list(need.events.order_by("created_at", "pk"))
    Need.objects.filter(pk=need.pk).update(
        created_at=when,
        submitted_at=when if need.submitted_at else None,
        state_changed_at=(
            when + datetime.timedelta(days=21 * len(events))
            if need.state_changed_at
            else None
        ),
    )
    for step, event in enumerate(events):
        NeedEvent.objects.filter(pk=event.pk).update(
            created_at=when + datetime.timedelta(days=21 * step, hours=step)
        )
    for step, support in enumerate(need.supports.order_by("pk"), start=1):
        Support.objects.filter(pk=support.pk).update(
            created_at=when + datetime.timedelta(days=9 * step)
        )


def _move_round_back(round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(
        created_at=ROUND_OPENED - datetime.timedelta(days=7),
        opened_at=ROUND_OPENED,
        closed_at=ROUND_CLOSED,
    )
    for step, ballot in enumerate(round_.ballots.order_by("pk"), start=1):
        Ballot.objects.filter(pk=ballot.pk).update(
            created_at=ROUND_OPENED + datetime.timedelta(days=3 * step)
        )


def load_demo(*, stdout) -> DemoReport:
    """Load the needs demo (see the module docstring); idempotent."""
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    needs: dict[str, Need] = {}
    created = supports = 0
    fresh: list[str] = []
    for spec in NEEDS:
        need = _existing(spec)
        if need is None:
            need, support_count = _create_need(spec, secretariat)
            created += 1
            supports += support_count
            fresh.append(spec.key)
        needs[spec.key] = need
    for spec in NEEDS:
        if spec.merge_into and needs[spec.key].state != State.MERGED:
            services.need_merge(
                actor=secretariat,
                need=needs[spec.key],
                into=needs[spec.merge_into],
                message="Doublon : le besoin des Pyrénées couvre déjà l'Ariège.",
            )
    stdout.write(
        f"  {len(needs)} needs of the six référentiels and other themes "
        f"({created} created, {supports} supports)"
    )
    if not ScoringWeights.objects.filter(note=WEIGHTS_NOTE).exists():
        services.weights_publish(actor=secretariat, weights=WEIGHTS, note=WEIGHTS_NOTE)
    for key in needs:
        needs[key].refresh_from_db()
    round_exists = Round.objects.filter(year=ROUND_YEAR, title=ROUND_TITLE).exists()
    round_ = _ensure_round(needs, secretariat)
    if not round_exists:
        _move_round_back(round_)
    shortlisted = [key for key in fresh if key in SHORTLIST]
    others = [key for key in fresh if key not in SHORTLIST]
    for index, key in enumerate(shortlisted):
        _move_back(needs[key], _submitted_on(index, shortlisted=True))
    for index, key in enumerate(others):
        _move_back(needs[key], _submitted_on(index, shortlisted=False))
    stdout.write(
        f"  published scoring weights and the closed {ROUND_YEAR} prioritisation "
        f"round ({round_.ballots.count()} ballots)"
    )
    return DemoReport(
        needs_created=created,
        supports_created=supports,
        needs=len(needs),
        round_id=round_.pk,
    )
