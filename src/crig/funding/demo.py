"""Funding demo: programmes of the four signatories and twelve requests at every
stage of the review, written through the funding services so that the demo
exercises the real code (checks, state machine, conflicts of interest, opinion
snapshots, versions, audit trail).

What it shows:

- a PCRS for Toulouse Métropole (entered by the members demo's ``membre@``) and
  a 5 cm orthophoto for Montpellier Méditerranée Métropole, both under review;
  the demo reviewer ``relecteur@`` (Région) still has to declare on the first
  and to record the Région's position on the second;
- a LIDAR complement in the Hautes-Pyrénées over communes the catalogue demo's
  LIDAR HD blocks already cover, published with reservations, and a second
  LIDAR request of Tarbes-Lourdes-Pyrénées sharing Lourdes with it (submitted):
  the analysis flags both the existing coverage and the overlap;
- an address project in the Aubrac, reaching the Préfecture and co-funded by the
  Région (two signatories): the Région's reviewer is told of a possible conflict
  and declares none, while an OPenIG reviewer employed by the Région recuses
  themself; four positions, an opinion published then corrected (version 2);
- an OCS GE opinion issued but not published, an unfavourable published
  opinion, a request only admissible, an inadmissible one, a withdrawn one and
  two drafts.

Programme names: DSIL, FNADT and FEDER are real funds (their conditions are not
reproduced); the Région's "Numérique et données géographiques", IGN's LIDAR HD
partnership convention and OPenIG's pooled fund are fictitious, and say so.
Amounts, people and positions are invented.

Each applicant writes through a demo person (``projets.<slug>@demo.crig.
example``, a referent, no password); the reviewers of the Préfecture, IGN and
OPenIG are demo persons without password too; the secretariat acts through the
members demo's ``secretariat@``. Requests are identified by applicant and title,
so a second run finds them and changes nothing. Runs after the members demo and
the needs demo (and best after the catalogue demo, which the analysis reads).

E-mails: the services enqueue their notifications (django-tasks) when the
demo's transaction commits; the ``crig db_worker`` sends them through the
configured e-mail backend (the console in ``make run``). Every address is under
``example`` (RFC 2606): nothing can reach a real person.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from crig.funding import services
from crig.funding.models import (
    AuditEntry,
    Criterion,
    DataLicence,
    FundingRequest,
    Opinion,
    Position,
    Programme,
    RequestAttachment,
    ReviewerSeat,
    SignatoryPosition,
)
from crig.members import services as members_services
from crig.members.models import Membership, Organisation, Signatory, User
from crig.needs.models import Theme
from crig.territory.selection import territory_selection

State = FundingRequest.State
Verdict = Opinion.Verdict
SECRETARIAT_EMAIL = "secretariat@demo.crig.example"
MEMBER_EMAIL = "membre@demo.crig.example"
REVIEWER_EMAIL = "relecteur@demo.crig.example"  # the Région's, signs in

PREFECTURE = "Préfecture de la région Occitanie"
REGION = "Région Occitanie"
IGN = "IGN Occitanie"
OPENIG = "OPenIG"
TOULOUSE_METROPOLE = "243100518"

DSIL = "DSIL — Dotation de soutien à l'investissement local"
FNADT = "FNADT — Fonds national d'aménagement et de développement du territoire"
FEDER = "FEDER Occitanie 2021-2027 — Une Europe plus intelligente (numérique)"
REGION_DATA = "Numérique et données géographiques"
LIDAR_HD = "Partenariat LIDAR HD — convention de production"
OPENIG_FUND = "Fonds mutualisé OPenIG"

PROGRAMMES = [
    # (signatory organisation, name, description)
    (
        PREFECTURE,
        DSIL,
        "Dotation de l'État aux communes et à leurs groupements pour leurs "
        "investissements. Fonds réel ; ses conditions ne sont pas reproduites "
        "dans cette démonstration.",
    ),
    (
        PREFECTURE,
        FNADT,
        "Crédits de l'État pour l'aménagement du territoire. Fonds réel ; ses "
        "conditions ne sont pas reproduites dans cette démonstration.",
    ),
    (
        REGION,
        FEDER,
        "Fonds européen de développement régional, géré par la Région. Intitulé "
        "abrégé ; les conditions du programme opérationnel ne sont pas "
        "reproduites dans cette démonstration.",
    ),
    (
        REGION,
        REGION_DATA,
        "Programme fictif de la démonstration : aide régionale à l'acquisition "
        "mutualisée de données géographiques de référence.",
    ),
    (
        IGN,
        LIDAR_HD,
        "Programme fictif de la démonstration : co-production avec l'IGN de "
        "compléments au LIDAR HD national (densification, zones à enjeux).",
    ),
    (
        OPENIG,
        OPENIG_FUND,
        "Programme fictif de la démonstration : l'association n'a pas de fonds "
        "de financement ; celui-ci montre une demande adressée à OPenIG.",
    ),
]


@dataclass(frozen=True)
class DemoReviewer:
    email: str
    full_name: str
    organisation: str  # where they work
    signatory: str  # for whom they review


# The Région's reviewer is the members demo's ``relecteur@`` (Rita Relectrice).
REVIEWERS = [
    DemoReviewer(
        "relecteur.prefecture@demo.crig.example", "Édouard État", PREFECTURE, PREFECTURE
    ),
    DemoReviewer("relecteur.ign@demo.crig.example", "Inès IGN", IGN, IGN),
    DemoReviewer("relecteur.openig@demo.crig.example", "Odile OPenIG", OPENIG, OPENIG),
    # OPenIG picks reviewers among its members; this one works for the Région.
    DemoReviewer(
        "relecteur.openig.region@demo.crig.example", "Régis Récusé", REGION, OPENIG
    ),
]
EDOUARD, INES, ODILE, REGIS = (reviewer.email for reviewer in REVIEWERS)
RITA = REVIEWER_EMAIL
REVIEWER_OF = {
    EDOUARD: PREFECTURE,
    RITA: REGION,
    INES: IGN,
    ODILE: OPENIG,
    REGIS: OPENIG,
}


@dataclass(frozen=True)
class DemoTerritory:
    communes: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoSeat:
    reviewer: str  # e-mail
    # None: not declared yet; False: no conflict; True: recused.
    conflict: bool | None = False
    statement: str = ""
    # Recorded while under review: (position, scores in criterion order, comments).
    position: tuple[str, tuple[int, int, int, int, int], str] | None = None


@dataclass(frozen=True)
class DemoOpinion:
    verdict: str
    reasoning: str
    conditions: str = ""
    meeting_label: str = ""  # empty: adopted by written procedure


@dataclass(frozen=True)
class DemoRequest:
    key: str
    applicant: str  # acronym, SIREN or name
    signatory: str
    programme: str
    title: str
    public_summary: str
    description: str
    theme: str
    territory: DemoTerritory
    # (label, euros); the amounts add up: Σ lines = requested + co-funders + self.
    budget: list[tuple[str, int]]
    amount_requested: int
    self_funding: int
    # (organisation key or plain name, euros, confirmed)
    cofunders: list[tuple[str, int, bool]] = field(default_factory=list)
    data_licence: str = DataLicence.LICENCE_OUVERTE
    standards: str = ""
    deliverables: str = ""
    schedule: tuple[int, int] = (1, 2)  # start 1 March, end 31 December (+ years)
    attachment: str = ""  # title of a small generated PDF
    by_member_account: bool = False  # entered by the members demo's membre@
    # Where the request stops: draft, submitted, admissible, inadmissible,
    # under_review, opinion_issued, published or withdrawn.
    stage: str = State.DRAFT
    reason: str = ""  # of inadmissibility or withdrawal
    seats: list[DemoSeat] = field(default_factory=list)
    opinion: DemoOpinion | None = None
    # An opinion first issued with these conditions, then corrected into the
    # ones above: (conditions of version 1, what version 2 corrects).
    mistake: tuple[str, str] | None = None


def _scores(*values: int) -> tuple[int, int, int, int, int]:
    """In the order of ``Criterion``: openness, standards, pooling, coverage
    gap, match with the needs and the plan (0–4 each)."""
    return values


FAVORABLE = Position.FAVORABLE
RESERVES = Position.FAVORABLE_WITH_RESERVATIONS
UNFAVORABLE = Position.UNFAVORABLE
ABSTENTION = Position.ABSTENTION

# Conditions name years: ``{year}`` is next year, ``{this_year}`` this one.
AUBRAC_CONDITIONS = (
    "Publier les cinq bases adresses locales dans la Base Adresse Nationale "
    "avant le 31 décembre {year} ; suivre le format BAL 1.4 de l'AITF."
)

REQUESTS = [
    # --- Under review ----------------------------------------------------------
    DemoRequest(
        key="pcrs-toulouse",
        applicant=TOULOUSE_METROPOLE,
        by_member_account=True,
        signatory=REGION,
        programme=FEDER,
        title="PCRS vecteur de classe A de Toulouse Métropole",
        public_summary=(
            "Passer du PCRS image de 2023 à un plan corps de rue simplifié vecteur "
            "de classe A sur les 37 communes de la métropole, partagé avec les "
            "gestionnaires de réseaux."
        ),
        description=(
            "Marché de levés topographiques en trois lots géographiques, contrôle "
            "par un prestataire distinct ; négociation en cours avec Enedis et "
            "GRDF sur leur participation, calendrier des lots à confirmer."
        ),
        theme=Theme.PCRS,
        territory=DemoTerritory(epcis=[TOULOUSE_METROPOLE]),
        budget=[
            ("Levés topographiques de classe A", 420_000),
            ("Contrôle et intégration", 60_000),
            ("Assistance à maîtrise d'ouvrage", 20_000),
        ],
        amount_requested=200_000,
        self_funding=180_000,
        cofunders=[("Enedis", 80_000, True), ("GRDF", 40_000, False)],
        standards="Standard PCRS 2.0 du CNIG",
        deliverables="PCRS vecteur GML au standard CNIG, mis à jour chaque année.",
        attachment="Note de présentation du PCRS de Toulouse Métropole",
        stage=State.UNDER_REVIEW,
        seats=[
            DemoSeat(RITA, conflict=None),
            DemoSeat(
                INES,
                position=(
                    FAVORABLE,
                    _scores(4, 4, 4, 3, 4),
                    "Conforme au standard ; l'IGN intégrera le PCRS au RGE.",
                ),
            ),
            DemoSeat(EDOUARD),
            DemoSeat(ODILE, conflict=None),
        ],
    ),
    DemoRequest(
        key="ortho-montpellier",
        applicant="243400017",
        signatory=REGION,
        programme=REGION_DATA,
        title="Orthophotographie 5 cm de Montpellier Méditerranée Métropole",
        public_summary=(
            "Prise de vues aériennes à 5 cm sur les 31 communes de la métropole, "
            "pour le PCRS image, le patrimoine arboré et la voirie."
        ),
        description=(
            "Vol au printemps, après la chute des feuilles évitée ; le SDIS de "
            "l'Hérault confirme sa participation. Consultation des prestataires "
            "en cours."
        ),
        theme=Theme.ORTHOPHOTO,
        territory=DemoTerritory(epcis=["243400017"]),
        budget=[
            ("Prise de vues aériennes à 5 cm", 180_000),
            ("Aérotriangulation et mosaïquage", 70_000),
        ],
        amount_requested=100_000,
        self_funding=140_000,
        cofunders=[("SDIS 34", 10_000, True)],
        standards="Spécifications PCRS image du CNIG",
        deliverables="Orthophotographie JPEG 2000 et flux WMTS ouverts.",
        stage=State.UNDER_REVIEW,
        seats=[
            DemoSeat(RITA),  # cleared: the Région's position is hers to record
            DemoSeat(
                EDOUARD,
                position=(FAVORABLE, _scores(4, 3, 3, 2, 4), "Projet mutualisé."),
            ),
            DemoSeat(
                INES,
                position=(
                    RESERVES,
                    _scores(4, 3, 2, 2, 3),
                    "Articuler le vol avec la BD ORTHO de l'Hérault.",
                ),
            ),
            DemoSeat(
                ODILE,
                position=(FAVORABLE, _scores(4, 3, 4, 2, 4), ""),
            ),
        ],
    ),
    # --- LIDAR: a complement over existing LIDAR HD, and an overlapping request --
    DemoRequest(
        key="lidar-gaves",
        applicant="CD65",
        signatory=IGN,
        programme=LIDAR_HD,
        title="LIDAR haute densité du gave de Pau, de Lourdes à Gavarnie",
        public_summary=(
            "Densification du LIDAR HD (50 points par m²) sur Lourdes et les "
            "vallées des gaves, pour la cartographie des crues torrentielles."
        ),
        description=(
            "Après les crues de 2013, la modélisation hydraulique demande une "
            "densité supérieure à celle du LIDAR HD national dans les fonds de "
            "vallée ; l'Agence de l'eau a confirmé sa participation."
        ),
        theme=Theme.LIDAR,
        territory=DemoTerritory(communes=["65286"], epcis=["200070811"]),
        budget=[
            ("Acquisition LIDAR à 50 points par m²", 240_000),
            ("Classification et modèles numériques à 25 cm", 60_000),
        ],
        amount_requested=150_000,
        self_funding=90_000,
        cofunders=[("Agence de l'eau Adour-Garonne", 60_000, True)],
        standards="Spécifications LIDAR HD de l'IGN\nINSPIRE Élévation",
        deliverables="Nuage de points classé LAZ, MNT et MNS à 25 cm.",
        attachment="Cahier des charges du LIDAR des gaves",
        stage=State.PUBLISHED,
        seats=[
            DemoSeat(
                EDOUARD,
                position=(FAVORABLE, _scores(4, 4, 3, 2, 4), "Enjeu de sécurité."),
            ),
            DemoSeat(
                RITA,
                position=(
                    RESERVES,
                    _scores(4, 4, 3, 1, 3),
                    "Le LIDAR HD national couvre déjà l'essentiel de ces communes : "
                    "ne financer que la densification des fonds de vallée.",
                ),
            ),
            DemoSeat(
                INES,
                position=(
                    RESERVES,
                    _scores(4, 4, 3, 1, 3),
                    "Compatible avec le LIDAR HD si la densification suit ses "
                    "spécifications.",
                ),
            ),
            DemoSeat(ODILE, position=(FAVORABLE, _scores(4, 4, 4, 2, 4), "")),
        ],
        opinion=DemoOpinion(
            verdict=Verdict.FAVORABLE_WITH_RESERVATIONS,
            reasoning=(
                "Le LIDAR HD de l'IGN couvre déjà l'essentiel de ces communes "
                "(blocs acquis en 2021 et 2022) ; la densification des fonds de "
                "vallée répond au besoin des Pyrénées pour les risques naturels et "
                "ne paie pas deux fois la même donnée si elle s'y limite. Une "
                "autre demande sur Lourdes est à l'étude : les deux porteurs sont "
                "invités à mutualiser leur acquisition."
            ),
            conditions=(
                "Limiter l'acquisition aux fonds de vallée non couverts à 50 points "
                "par m² ; publier le nuage de points sous Licence Ouverte."
            ),
            meeting_label="Comité du CRIG (séance de démonstration)",
        ),
    ),
    DemoRequest(
        key="lidar-lourdes",
        applicant="200069300",
        signatory=PREFECTURE,
        programme=FNADT,
        title="Relevé LIDAR des zones inondables de Lourdes et du gave de Pau aval",
        public_summary=(
            "Relevé LIDAR de Lourdes à Saint-Pé-de-Bigorre pour mettre à jour le "
            "plan de prévention du risque inondation."
        ),
        description=(
            "Acquisition à 20 points par m² au printemps, modélisation des zones "
            "inondables par le bureau d'études du PPRI."
        ),
        theme=Theme.LIDAR,
        territory=DemoTerritory(communes=["65286", "65395", "65002", "65291"]),
        budget=[
            ("Acquisition LIDAR", 100_000),
            ("Modélisation des zones inondables", 20_000),
        ],
        amount_requested=60_000,
        self_funding=60_000,
        standards="Spécifications LIDAR HD de l'IGN",
        stage=State.SUBMITTED,
    ),
    # --- Addresses: two signatories fund it, one reviewer recused ----------------
    DemoRequest(
        key="adresses-aubrac",
        applicant="CD48",
        signatory=PREFECTURE,
        programme=DSIL,
        title="Bases adresses locales de cinq communes de l'Aubrac lozérien",
        public_summary=(
            "Numérotation des hameaux et publication des bases adresses locales "
            "de cinq petites communes de l'Aubrac."
        ),
        description=(
            "Relevés par un géomètre-expert, pose des plaques par les communes, "
            "accompagnement à la publication par le Département."
        ),
        theme=Theme.ADDRESSES,
        territory=DemoTerritory(communes=["48192", "48191", "48187", "48073", "48085"]),
        budget=[
            ("Relevés de terrain et numérotation", 18_000),
            ("Plaques et numéros", 9_000),
            ("Accompagnement à la publication", 3_000),
        ],
        amount_requested=12_000,
        self_funding=9_000,
        cofunders=[(REGION, 9_000, True)],
        standards="Format Base Adresse Locale 1.4 (AITF)",
        deliverables="Cinq bases adresses locales publiées dans la BAN.",
        schedule=(0, 1),
        stage=State.PUBLISHED,
        seats=[
            DemoSeat(
                EDOUARD,
                position=(FAVORABLE, _scores(4, 4, 3, 4, 4), "Priorité des secours."),
            ),
            DemoSeat(
                RITA,
                statement=(
                    "La Région co-finance ce projet au titre de son programme ; je "
                    "siège pour elle et n'ai aucun intérêt personnel au dossier."
                ),
                position=(FAVORABLE, _scores(4, 4, 3, 4, 4), ""),
            ),
            DemoSeat(INES, position=(FAVORABLE, _scores(4, 4, 3, 4, 3), "")),
            DemoSeat(
                ODILE,
                position=(
                    RESERVES,
                    _scores(4, 3, 3, 4, 4),
                    "Prévoir la mise à jour des adresses après la publication.",
                ),
            ),
            DemoSeat(
                REGIS,
                conflict=True,
                statement=(
                    "Agent de la Région, co-financeur du projet : je ne siège pas "
                    "pour OPenIG sur ce dossier."
                ),
            ),
        ],
        opinion=DemoOpinion(
            verdict=Verdict.FAVORABLE,
            reasoning=(
                "Les hameaux de ces communes n'ont pas d'adresse : les secours et "
                "les raccordements à la fibre ne les trouvent pas. Le projet suit "
                "le format national et publie les données sous Licence Ouverte ; "
                "il répond au besoin exprimé par le Département et soutenu par les "
                "géomètres-experts."
            ),
            conditions=AUBRAC_CONDITIONS,
        ),
        mistake=(
            AUBRAC_CONDITIONS.replace("{year}", "{this_year}"),
            "Correction de la date limite de publication dans la Base Adresse "
            "Nationale (erreur matérielle dans la première version).",
        ),
    ),
    # --- Opinions issued ---------------------------------------------------------
    DemoRequest(
        key="ocsge-gard",
        applicant="CD30",
        signatory=PREFECTURE,
        programme=FNADT,
        title="OCS GE du Gard",
        public_summary=(
            "Production de l'occupation du sol à grande échelle du Gard pour le "
            "suivi de l'artificialisation des sols."
        ),
        description=(
            "Production par photo-interprétation assistée, contrôle qualité par "
            "un second prestataire ; l'Agence de l'eau co-finance le volet "
            "zones humides."
        ),
        theme=Theme.LAND_COVER,
        territory=DemoTerritory(departements=["30"]),
        budget=[("Production de l'OCS GE", 160_000), ("Contrôle qualité", 40_000)],
        amount_requested=80_000,
        self_funding=90_000,
        cofunders=[("Agence de l'eau Rhône Méditerranée Corse", 30_000, True)],
        standards="Nomenclature nationale OCS GE (CNIG)",
        stage=State.OPINION_ISSUED,
        seats=[
            DemoSeat(EDOUARD, position=(FAVORABLE, _scores(4, 4, 3, 3, 4), "")),
            DemoSeat(RITA, position=(FAVORABLE, _scores(4, 4, 3, 3, 4), "")),
            DemoSeat(INES, position=(FAVORABLE, _scores(4, 4, 4, 3, 4), "")),
            DemoSeat(ODILE, position=(ABSTENTION, _scores(3, 3, 3, 3, 3), "")),
        ],
        opinion=DemoOpinion(
            verdict=Verdict.FAVORABLE,
            reasoning=(
                "L'OCS GE du Gard manque à la couverture régionale et sert le suivi "
                "du zéro artificialisation nette ; la nomenclature nationale est "
                "suivie."
            ),
            meeting_label="Comité du CRIG (séance de démonstration)",
        ),
    ),
    DemoRequest(
        key="ortho-nimes",
        applicant="243000643",
        signatory=REGION,
        programme=FEDER,
        title="Orthophotographie 8 cm de Nîmes Métropole",
        public_summary="Prise de vues aériennes à 8 cm des 39 communes.",
        description=(
            "Vol réservé aux services de l'agglomération ; diffusion aux "
            "partenaires sur demande."
        ),
        theme=Theme.ORTHOPHOTO,
        territory=DemoTerritory(epcis=["243000643"]),
        budget=[("Prise de vues à 8 cm", 70_000), ("Traitements", 20_000)],
        amount_requested=45_000,
        self_funding=45_000,
        data_licence=DataLicence.RESTRICTED,
        stage=State.PUBLISHED,
        seats=[
            DemoSeat(
                EDOUARD,
                position=(UNFAVORABLE, _scores(1, 3, 1, 2, 2), "Données non ouvertes."),
            ),
            DemoSeat(RITA, position=(UNFAVORABLE, _scores(1, 3, 1, 2, 2), "")),
            DemoSeat(INES, position=(ABSTENTION, _scores(2, 3, 2, 2, 2), "")),
            DemoSeat(ODILE, position=(UNFAVORABLE, _scores(1, 3, 1, 2, 2), "")),
        ],
        opinion=DemoOpinion(
            verdict=Verdict.UNFAVORABLE,
            reasoning=(
                "Les données seraient réservées à l'agglomération, alors que des "
                "fonds publics les paieraient ; la prise de vues mutualisée du plan "
                "d'actions couvre le même territoire. Le CRIG invite le porteur à "
                "rejoindre cette acquisition."
            ),
            meeting_label="Comité du CRIG (séance de démonstration)",
        ),
    ),
    # --- Earlier stages ----------------------------------------------------------
    DemoRequest(
        key="pcrs-perpignan",
        applicant="200027183",
        signatory=REGION,
        programme=FEDER,
        title="PCRS de Perpignan Méditerranée Métropole",
        public_summary="Levé d'un PCRS vecteur sur les 36 communes de la communauté.",
        description="Levés par lots annuels sur trois ans, Perpignan en premier.",
        theme=Theme.PCRS,
        territory=DemoTerritory(epcis=["200027183"]),
        budget=[("Levés topographiques", 300_000), ("Contrôle", 50_000)],
        amount_requested=140_000,
        self_funding=175_000,
        cofunders=[("Enedis", 35_000, False)],
        standards="Standard PCRS 2.0 du CNIG",
        schedule=(1, 3),
        stage=State.ADMISSIBLE,
        seats=[DemoSeat(RITA, conflict=None), DemoSeat(EDOUARD, conflict=None)],
    ),
    DemoRequest(
        key="licences-narbonne",
        applicant="241100593",
        signatory=REGION,
        programme=REGION_DATA,
        title="Licences du logiciel SIG du Grand Narbonne",
        public_summary="Renouvellement pour trois ans des licences du logiciel SIG.",
        description="Vingt licences bureautiques et un serveur cartographique.",
        theme=Theme.OTHER,
        territory=DemoTerritory(epcis=["241100593"]),
        budget=[("Licences logicielles (3 ans)", 40_000)],
        amount_requested=20_000,
        self_funding=20_000,
        data_licence=DataLicence.PROPRIETARY,
        stage=State.INADMISSIBLE,
        reason=(
            "Hors du champ du programme : il aide à acquérir ou produire des "
            "données géographiques partagées, non des licences logicielles."
        ),
    ),
    DemoRequest(
        key="ortho-albi",
        applicant="248100737",
        signatory=REGION,
        programme=REGION_DATA,
        title="Orthophotographie 2 cm du centre historique d'Albi",
        public_summary="Prise de vues à 2 cm de la cité épiscopale.",
        description="Vol par drone, autorisations de la préfecture à obtenir.",
        theme=Theme.ORTHOPHOTO,
        territory=DemoTerritory(communes=["81004"]),
        budget=[("Prise de vues par drone", 25_000)],
        amount_requested=10_000,
        self_funding=15_000,
        stage=State.WITHDRAWN,
        reason="La ville finance seule la prise de vues du centre historique.",
    ),
    DemoRequest(
        key="erp-toulouse",
        applicant=TOULOUSE_METROPOLE,
        by_member_account=True,
        signatory=PREFECTURE,
        programme=DSIL,
        title="Recensement géolocalisé des ERP de Toulouse Métropole",
        public_summary="Géolocaliser et décrire les établissements recevant du public.",
        description="Brouillon : chiffrage à reprendre avec le service accessibilité.",
        theme=Theme.ERP,
        territory=DemoTerritory(epcis=[TOULOUSE_METROPOLE]),
        budget=[("Recensement de terrain", 60_000)],
        amount_requested=30_000,
        self_funding=30_000,
        standards="Standard ERP du CNIG",
    ),
    DemoRequest(
        key="lidar-lot",
        applicant="CD46",
        signatory=IGN,
        programme=LIDAR_HD,
        title="Densification du LIDAR HD des vallées du Lot et du Célé",
        public_summary="Densification du LIDAR HD dans les fonds de vallée du Lot.",
        description="Brouillon : périmètre à préciser avec le syndicat de rivière.",
        theme=Theme.LIDAR,
        territory=DemoTerritory(departements=["46"]),
        budget=[("Acquisition LIDAR", 200_000)],
        amount_requested=100_000,
        self_funding=100_000,
    ),
]


@dataclass(frozen=True)
class DemoReport:
    programmes: int
    requests_created: int
    requests: int


def _organisation(key: str) -> Organisation:
    """An organisation of the members demo by acronym, SIREN or name."""
    return Organisation.objects.get(Q(acronym=key) | Q(siren=key) | Q(name=key))


def _signatory(name: str) -> Signatory:
    return Signatory.objects.select_related("organisation").get(organisation__name=name)


def _ensure_membership(person: User, organisation: Organisation, role: str) -> None:
    membership = Membership.objects.filter(
        person=person, organisation=organisation
    ).first()
    if membership is None:
        members_services.membership_add(
            person=person, organisation=organisation, role=role
        )


def _demo_person(email: str, full_name: str) -> User:
    """A demo person without a password (nobody signs in as them)."""
    person = User.objects.filter(email=email).first()
    if person is None:
        person = User.objects.create_user(email, None, full_name=full_name)
    return person


def _applicant_person(organisation: Organisation) -> User:
    """The organisation's project lead, a referent (so that they may withdraw)."""
    label = organisation.acronym or organisation.name
    person = _demo_person(
        f"projets.{organisation.slug}@demo.crig.example",
        f"Chef de projet démo {label}"[:150],
    )
    _ensure_membership(person, organisation, Membership.Role.REFERENT)
    return person


def _ensure_reviewers() -> None:
    for spec in REVIEWERS:
        person = _demo_person(spec.email, spec.full_name)
        _ensure_membership(
            person, _organisation(spec.organisation), Membership.Role.MEMBER
        )
        members_services.reviewer_assign(
            person=person, signatory=_signatory(spec.signatory)
        )


def _ensure_programmes() -> dict[str, Programme]:
    programmes = {}
    for signatory_name, name, description in PROGRAMMES:
        # No service edits programmes (the secretariat does, in the admin).
        programme, _created = Programme.objects.update_or_create(
            signatory=_signatory(signatory_name),
            name=name,
            defaults={"description": description, "is_active": True},
        )
        programmes[name] = programme
    return programmes


def demo_pdf(title: str) -> bytes:
    """A one-page PDF showing ``title``, written by hand: enough for a viewer."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _request_data(
    spec: DemoRequest, programmes: dict[str, Programme]
) -> services.RequestData:
    year = timezone.localdate().year
    start_years, end_years = spec.schedule
    cofunders = []
    for key, amount, confirmed in spec.cofunders:
        organisation = Organisation.objects.filter(
            Q(acronym=key) | Q(siren=key) | Q(name=key)
        ).first()
        cofunders.append(
            services.CoFunderData(
                amount=Decimal(amount),
                organisation_id=organisation.pk if organisation else None,
                name="" if organisation else key,
                status="confirmed" if confirmed else "requested",
            )
        )
    return services.RequestData(
        signatory_id=_signatory(spec.signatory).pk,
        programme_id=programmes[spec.programme].pk,
        title=spec.title,
        public_summary=spec.public_summary,
        description=spec.description,
        theme=spec.theme,
        amount_requested=Decimal(spec.amount_requested),
        self_funding=Decimal(spec.self_funding),
        data_licence=spec.data_licence,
        starts_on=datetime.date(year + start_years, 3, 1),
        ends_on=datetime.date(year + end_years, 12, 31),
        deliverables=spec.deliverables,
        standards=spec.standards,
        budget_lines=[
            services.BudgetLineData(label=label, amount=Decimal(amount))
            for label, amount in spec.budget
        ],
        cofunders=cofunders,
    )


def _opinion_data(
    opinion: DemoOpinion, conditions: str | None = None
) -> services.OpinionData:
    year = timezone.localdate().year
    conditions = opinion.conditions if conditions is None else conditions
    return services.OpinionData(
        verdict=opinion.verdict,
        reasoning=opinion.reasoning,
        conditions=conditions.format(year=year + 1, this_year=year),
        adopted_on=timezone.localdate(),
        adoption=Opinion.Adoption.MEETING
        if opinion.meeting_label
        else Opinion.Adoption.WRITTEN,
        meeting_label=opinion.meeting_label,
    )


def _review(spec: DemoRequest, request: FundingRequest, secretariat: User):
    """Seat the reviewers, let them declare, start the review if the request
    goes that far, and record the positions."""
    seats = []
    for seat_spec in spec.seats:
        reviewer = User.objects.get(email=seat_spec.reviewer)
        seat = services.reviewer_assign(
            actor=secretariat,
            request=request,
            reviewer=reviewer,
            signatory=_signatory(REVIEWER_OF[seat_spec.reviewer]),
        )
        if seat_spec.conflict is not None:
            seat = services.conflict_declare(
                actor=reviewer,
                seat=seat,
                conflict=seat_spec.conflict,
                statement=seat_spec.statement,
            )
        seats.append((seat_spec, seat))
    if spec.stage == State.ADMISSIBLE:
        return request
    request = services.request_start_review(
        actor=secretariat,
        request=request,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    for seat_spec, seat in seats:
        if seat_spec.position is None or seat.conflict != ReviewerSeat.Conflict.NONE:
            continue
        position, scores, comments = seat_spec.position
        services.position_record(
            actor=seat.reviewer,
            request=request,
            signatory=seat.signatory,
            position=position,
            comments=comments,
            scores=dict(zip(Criterion.values, scores, strict=True)),
        )
    return request


def _create_request(
    spec: DemoRequest, programmes: dict[str, Programme], secretariat: User
) -> FundingRequest:
    applicant = _organisation(spec.applicant)
    if spec.by_member_account:
        author = User.objects.get(email=MEMBER_EMAIL)
    else:
        author = _applicant_person(applicant)
    request = services.request_create(
        actor=author,
        applicant=applicant,
        data=_request_data(spec, programmes),
        territory=territory_selection(
            communes=spec.territory.communes,
            epcis=spec.territory.epcis,
            departements=spec.territory.departements,
        ),
    )
    if spec.attachment:
        services.request_attachment_add(
            actor=author,
            request=request,
            name=f"{spec.attachment}.pdf",
            data=demo_pdf(spec.attachment),
        )
    if spec.stage == State.DRAFT:
        return request
    request = services.request_submit(actor=author, request=request)
    if spec.stage == State.WITHDRAWN:
        return services.request_withdraw(
            actor=author, request=request, reason=spec.reason
        )
    if spec.stage == State.SUBMITTED:
        return request
    request = services.request_decide_admissibility(
        actor=secretariat,
        request=request,
        admissible=spec.stage != State.INADMISSIBLE,
        reason=spec.reason,
    )
    if spec.stage == State.INADMISSIBLE:
        return request
    request = _review(spec, request, secretariat)
    if spec.stage in (State.ADMISSIBLE, State.UNDER_REVIEW):
        return request
    mistaken, note = spec.mistake or (None, "")
    opinion = services.opinion_issue(
        actor=secretariat,
        request=request,
        data=_opinion_data(spec.opinion, conditions=mistaken),
    )
    if spec.stage == State.PUBLISHED:
        opinion = services.opinion_publish(actor=secretariat, opinion=opinion)
    if spec.mistake:
        services.opinion_correct(
            actor=secretariat,
            opinion=opinion,
            data=_opinion_data(spec.opinion),
            correction_note=note,
        )
    request.refresh_from_db()
    return request


# --- History ---------------------------------------------------------------------
# The services stamp everything today. The requests the council has finished with
# (an opinion, inadmissible, withdrawn) are moved back to 2024–2025 so that the
# register and the yearly reports read like the council's past; pending ones stay
# recent. Every timestamp of a request moves by the same amount, so its audit
# trail keeps its order, and its reference takes the year of its submission.
CLOSED_STAGES = (
    State.PUBLISHED,
    State.OPINION_ISSUED,
    State.INADMISSIBLE,
    State.WITHDRAWN,
)
PAST_DATES = [
    datetime.date(2024, 3, 12),
    datetime.date(2024, 6, 18),
    datetime.date(2024, 10, 8),
    datetime.date(2025, 2, 11),
    datetime.date(2025, 5, 20),
    datetime.date(2025, 9, 16),
]


def _shift(model, rows, delta: datetime.timedelta, *fields: str) -> None:
    for row in rows:
        values = {
            name: getattr(row, name) - delta
            for name in fields
            if getattr(row, name) is not None
        }
        if values:
            model.objects.filter(pk=row.pk).update(**values)


def _move_back(request: FundingRequest, when: datetime.date) -> None:
    delta = timezone.now() - timezone.make_aware(
        datetime.datetime.combine(when, datetime.time(10))
    )
    days = datetime.timedelta(days=delta.days)
    _shift(
        FundingRequest,
        [request],
        delta,
        "created_at",
        "updated_at",
        "submitted_at",
    )
    _shift(FundingRequest, [request], days, "review_deadline")
    if request.reference:
        prefix = (
            f"{request.reference.split('-')[0]}-{(request.submitted_at - delta).year}-"
        )
        taken = FundingRequest.objects.filter(reference__startswith=prefix).count()
        FundingRequest.objects.filter(pk=request.pk).update(
            reference=f"{prefix}{taken + 1:03d}"
        )
    _shift(AuditEntry, request.audit_entries.all(), delta, "at")
    _shift(RequestAttachment, request.attachments.all(), delta, "created_at")
    _shift(
        ReviewerSeat,
        request.reviewer_seats.all(),
        delta,
        "created_at",
        "updated_at",
        "declared_at",
    )
    _shift(
        SignatoryPosition, request.positions.all(), delta, "created_at", "updated_at"
    )
    opinions = list(request.opinions.all())
    _shift(Opinion, opinions, delta, "issued_at", "published_at")
    _shift(Opinion, opinions, days, "adopted_on")


def load_demo(*, stdout) -> DemoReport:
    """Load the funding demo (see the module docstring); idempotent."""
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    programmes = _ensure_programmes()
    _ensure_reviewers()
    created = closed = 0
    for spec in REQUESTS:
        applicant = _organisation(spec.applicant)
        if FundingRequest.objects.filter(
            applicant=applicant, title=spec.title
        ).exists():
            continue
        request = _create_request(spec, programmes, secretariat)
        created += 1
        if spec.stage in CLOSED_STAGES:
            _move_back(request, PAST_DATES[closed % len(PAST_DATES)])
            closed += 1
    stdout.write(
        f"  {len(programmes)} funding programmes of the signatories and "
        f"{len(REQUESTS)} funding requests at every stage ({created} created)"
    )
    return DemoReport(
        programmes=len(programmes), requests_created=created, requests=len(REQUESTS)
    )
