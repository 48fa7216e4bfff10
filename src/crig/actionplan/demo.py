"""Action-plan demo: the council's 2024 plan with its fifteen actions, as in the
presentation of the 2024 CRIG day (4 on organisation, 6 on the référentiels,
3 cross-cutting themes, 2 specific themes), then the 2025 plan started by
rolling the 2024 one over.

Everything goes through the action-plan services, as the people concerned would
do it: the secretariat creates, publishes and rolls the plans over and links the
actions to the needs, datasets and funding requests it can see; a member of a
lead organisation posts the progress updates (the secretariat when no demo
person belongs to the lead organisations). The 2025 plan is published too, so
that the public sees the roll-over (each action points to its 2024 version):
in a demo dated after 2025 a plan still in draft would be a plan that was never
adopted.

Runs after the members demo, and after the catalogue and needs demos, whose
records it links, and after the funding demo when there is one: the funding
requests of an action's theme (neither drafts, nor inadmissible, nor withdrawn)
are linked to it; without any, none are. A second run changes nothing: a plan
that exists is left as it is.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from crig.actionplan import services
from crig.actionplan.models import Action, Plan
from crig.actionplan.services import ActionData, IndicatorData, MilestoneData
from crig.members.models import Membership, Organisation, Signatory, User

SECRETARIAT_EMAIL = "secretariat@demo.crig.example"
D = datetime.date
Category = Action.Category
Status = Action.Status


@dataclass(frozen=True)
class DemoUpdate:
    dated: datetime.date
    body: str
    progress: int | None = None
    status: str = ""
    attachment: str = ""  # title of a small generated PDF


@dataclass(frozen=True)
class DemoAction:
    category: str
    title: str
    objectives: str
    leads: list[str]  # acronym, SIREN or name
    signatory: str  # the signatory organisation's name
    partners: list[str] = field(default_factory=list)
    theme: str = ""
    budget: int | None = None
    milestones: list[tuple] = field(default_factory=list)  # (title, due, done)
    indicators: list[tuple] = field(default_factory=list)  # (name, target, now, unit)
    updates: list[DemoUpdate] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)  # need titles
    referentiel: str = ""  # datasets of this référentiel are linked
    updates_2025: list[DemoUpdate] = field(default_factory=list)


PREFECTURE = "Préfecture de la région Occitanie"
REGION = "Région Occitanie"
IGN = "IGN Occitanie"
OPENIG = "OPenIG"
TOULOUSE_METROPOLE = "243100518"
MONTPELLIER_METROPOLE = "243400017"
PERPIGNAN_METROPOLE = "200027183"
TARBES_LOURDES = "200069300"

PLAN_2024_INTRODUCTION = (
    "Le plan annuel d'actions communes du CRIG Occitanie, adopté par ses quatre "
    "signataires : quinze actions, dont quatre sur l'organisation du réseau, six "
    "sur les données de référence, trois sur des thématiques transversales et deux "
    "sur des thématiques particulières. Chaque action a ses organismes pilotes, "
    "ses partenaires, ses jalons et ses indicateurs ; les pilotes en publient "
    "l'avancement au fil de l'année."
)

ACTIONS_2024 = [
    # --- Organisation --------------------------------------------------------
    DemoAction(
        Category.ORGANISATION,
        "Interopérabilité des plateformes régionales",
        "Faire dialoguer les catalogues des plateformes régionales (Géo-Occitanie, "
        "PICTO-Occitanie, OPenIG) : moissonnage croisé CSW et DCAT, profil de "
        "métadonnées commun, un point d'entrée unique vers les données de "
        "référence de la région.",
        leads=[OPENIG],
        signatory=OPENIG,
        partners=[IGN, REGION, "DREAL Occitanie"],
        milestones=[
            (
                "Inventaire des services CSW des plateformes",
                D(2024, 3, 29),
                D(2024, 3, 25),
            ),
            ("Moissonnage croisé en service", D(2024, 9, 30), D(2024, 10, 15)),
            ("Profil de métadonnées commun adopté", D(2024, 12, 13), None),
        ],
        indicators=[
            ("Plateformes moissonnées", 3, 2, "plateformes"),
            ("Fiches de métadonnées partagées", 5000, 3400, "fiches"),
        ],
        updates=[
            DemoUpdate(
                D(2024, 3, 25),
                "Inventaire terminé : trois plateformes "
                "exposent un service CSW, deux un flux DCAT.",
                20,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 10, 15),
                "Le catalogue régional moissonne désormais "
                "Géo-Occitanie et PICTO-Occitanie chaque nuit.",
                70,
            ),
        ],
        updates_2025=[
            DemoUpdate(
                D(2025, 4, 10),
                "Profil de métadonnées commun adopté en "
                "comité ; la troisième plateforme est moissonnée.",
                100,
                Status.DONE,
            ),
        ],
    ),
    DemoAction(
        Category.ORGANISATION,
        "Organisation de la journée du CRIG",
        "Organiser la journée annuelle du CRIG, ouverte à tous, pour diffuser "
        "l'information et recueillir les besoins ; en 2024 à Toulouse, le "
        "19 novembre.",
        leads=[OPENIG],
        signatory=OPENIG,
        partners=[REGION, PREFECTURE, IGN],
        budget=12000,
        milestones=[
            ("Choix du lieu et de la date", D(2024, 4, 30), D(2024, 4, 22)),
            ("Programme et appel à interventions", D(2024, 7, 12), D(2024, 7, 10)),
            ("Journée du CRIG à Toulouse", D(2024, 11, 19), D(2024, 11, 19)),
        ],
        indicators=[
            ("Inscrits confirmés", 150, 164, "personnes"),
            ("Part des inscrits venus pour la première fois", 40, 54, "%"),
        ],
        updates=[
            DemoUpdate(
                D(2024, 7, 10),
                "Programme publié et inscriptions ouvertes.",
                50,
                Status.IN_PROGRESS,
                attachment="Programme de la journée du CRIG 2024",
            ),
            DemoUpdate(
                D(2024, 11, 22),
                "164 inscrits confirmés, dont 54 % venus "
                "pour la première fois et 70 % adhérents d'OPenIG. Supports "
                "en ligne.",
                100,
                Status.DONE,
            ),
        ],
    ),
    DemoAction(
        Category.ORGANISATION,
        "Préfiguration du CTD",
        "Préfigurer le CTD régional : recenser les besoins de traitement des "
        "données (imagerie, LIDAR, occupation du sol), comparer les modèles de "
        "portage et chiffrer les moyens à mutualiser entre les signataires.",
        leads=[REGION],
        signatory=REGION,
        partners=[IGN, OPENIG, "MTD"],
        budget=40000,
        milestones=[
            ("Recensement des besoins de traitement", D(2024, 5, 31), D(2024, 6, 20)),
            ("Étude des scénarios de portage", D(2024, 10, 31), None),
            ("Note de préfiguration aux signataires", D(2025, 3, 31), None),
        ],
        indicators=[("Organismes interrogés", 40, 27, "organismes")],
        updates=[
            DemoUpdate(
                D(2024, 6, 20),
                "27 organismes ont répondu au questionnaire "
                "sur leurs besoins de traitement.",
                25,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 11, 5),
                "Trois scénarios de portage à l'étude ; l'étude déborde sur 2025.",
                35,
            ),
        ],
        updates_2025=[
            DemoUpdate(
                D(2025, 6, 12), "Note de préfiguration remise aux signataires.", 60
            ),
        ],
    ),
    DemoAction(
        Category.ORGANISATION,
        "Animation du réseau des référents",
        "Faire vivre le réseau des référents des organismes membres : webinaires, "
        "annuaire à jour, relais des travaux du CNIG, retours d'expérience.",
        leads=[OPENIG],
        signatory=OPENIG,
        partners=["CD34", TOULOUSE_METROPOLE],
        milestones=[
            ("Webinaire de rentrée des référents", D(2024, 9, 26), D(2024, 9, 26)),
            ("Annuaire des référents à jour", D(2024, 12, 31), None),
        ],
        indicators=[("Organismes ayant désigné un référent", 60, 41, "organismes")],
        updates=[
            DemoUpdate(
                D(2024, 9, 27),
                "Webinaire de rentrée : 58 participants, "
                "retour sur les groupes de travail du CNIG.",
                60,
                Status.IN_PROGRESS,
            ),
        ],
    ),
    # --- Référentiels --------------------------------------------------------
    DemoAction(
        Category.REFERENTIELS,
        "Orthophotographies",
        "Coordonner les prises de vue aériennes de la région (BD ORTHO 20 cm, "
        "compléments 5 cm des agglomérations, infrarouge couleur) et mutualiser "
        "les commandes de très haute résolution.",
        leads=[IGN, REGION],
        signatory=IGN,
        partners=[MONTPELLIER_METROPOLE, "CD34"],
        theme="orthophotographie",
        budget=350000,
        milestones=[
            ("Recueil des besoins des agglomérations", D(2024, 2, 29), D(2024, 3, 8)),
            ("Vols de la campagne 2024", D(2024, 9, 30), D(2024, 10, 4)),
            ("Livraison des orthophotographies", D(2025, 3, 31), None),
        ],
        indicators=[
            (
                "Départements couverts par une ortho de moins de 3 ans",
                13,
                9,
                "départements",
            ),
        ],
        updates=[
            DemoUpdate(
                D(2024, 3, 8),
                "Besoins recueillis : Montpellier et Nîmes "
                "demandent une ortho très haute résolution.",
                20,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 10, 4), "Vols terminés sur l'Hérault, le Gard et l'Aude.", 55
            ),
        ],
        needs=[
            "Orthophotographie 5 cm de Montpellier Méditerranée Métropole",
            "Orthophotographie 8 cm de Nîmes Métropole",
            "Orthophotographie infrarouge couleur de toute la région",
        ],
        referentiel="orthophotographie",
        updates_2025=[
            DemoUpdate(
                D(2025, 4, 2),
                "Orthophotographies 2024 livrées et diffusées sur les plateformes.",
                85,
            ),
        ],
    ),
    DemoAction(
        Category.REFERENTIELS,
        "Occupation du sol",
        "Disposer de l'OCS GE sur toute la région pour le suivi du zéro "
        "artificialisation nette, avec les mêmes millésimes partout.",
        leads=[IGN, "DREAL Occitanie"],
        signatory=PREFECTURE,
        partners=["AUAT", "CD12"],
        theme="occupation_du_sol",
        milestones=[
            (
                "Calendrier de production par département",
                D(2024, 4, 30),
                D(2024, 5, 14),
            ),
            ("OCS GE livrée dans six départements", D(2024, 12, 31), None),
        ],
        indicators=[("Départements couverts par l'OCS GE", 13, 7, "départements")],
        updates=[
            DemoUpdate(
                D(2024, 5, 14), "Calendrier arrêté avec l'IGN.", 20, Status.IN_PROGRESS
            ),
            DemoUpdate(
                D(2024, 12, 3),
                "Sept départements couverts ; l'Aveyron et le Gard attendus en 2025.",
                45,
            ),
        ],
        needs=[
            "OCS GE du Gard pour le suivi du zéro artificialisation nette",
            "OCS GE millésime 2024 de toute la région",
            "OCS GE de l'Aveyron",
        ],
        referentiel="occupation_du_sol",
    ),
    DemoAction(
        Category.REFERENTIELS,
        "Établissements recevant du public",
        "Constituer une base régionale des ERP à jour (localisation, catégorie, "
        "accessibilité) à partir des données des SDIS et des DDT(M).",
        leads=["SDIS 34", "DDTM 11"],
        signatory=PREFECTURE,
        partners=["SDIS 31", TOULOUSE_METROPOLE],
        theme="erp",
        milestones=[
            ("Modèle de données commun", D(2024, 6, 28), D(2024, 7, 9)),
            ("Base pilote de l'Aude et de l'Hérault", D(2024, 12, 20), None),
        ],
        indicators=[("Départements versant leurs ERP", 13, 3, "départements")],
        updates=[
            DemoUpdate(
                D(2024, 7, 9),
                "Modèle commun validé par les SDIS.",
                25,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 10, 17),
                "En pause dans l'attente du standard national ERP du CNIG.",
                None,
                Status.PAUSED,
            ),
        ],
        needs=[
            "Mise à jour des établissements recevant du public de l'Aude",
            "Recensement des ERP du Tarn-et-Garonne",
            "Accessibilité des ERP de Toulouse Métropole",
        ],
        referentiel="erp",
    ),
    DemoAction(
        Category.REFERENTIELS,
        "Plan de corps de rue simplifié",
        "Accompagner la constitution du PCRS dans la région : cahier des charges "
        "commun, groupements de commande, mise à disposition des données aux "
        "exploitants de réseaux.",
        leads=[REGION, TOULOUSE_METROPOLE],
        signatory=REGION,
        partners=["OGE Toulouse", "OGE Montpellier", TARBES_LOURDES],
        theme="pcrs",
        budget=250000,
        milestones=[
            ("Cahier des charges régional du PCRS", D(2024, 3, 29), D(2024, 3, 29)),
            ("Réunion régionale PCRS", D(2024, 6, 13), D(2024, 6, 13)),
            ("PCRS livré sur trois agglomérations", D(2025, 6, 30), None),
        ],
        indicators=[("Communes couvertes par un PCRS", 500, 312, "communes")],
        updates=[
            DemoUpdate(
                D(2024, 6, 14),
                "Réunion régionale PCRS : 80 participants, "
                "retour d'expérience de Toulouse Métropole.",
                45,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 11, 28),
                "PCRS de Toulouse Métropole livré ; Tarbes-Lourdes à mi-parcours.",
                65,
            ),
        ],
        needs=[
            "PCRS vecteur de Toulouse Métropole",
            "Achever le PCRS de Tarbes-Lourdes-Pyrénées",
            "PCRS image du Grand Narbonne",
            "PCRS de Perpignan Méditerranée Métropole",
        ],
        referentiel="pcrs",
        updates_2025=[
            DemoUpdate(D(2025, 7, 3), "Tarbes-Lourdes livré.", 85),
        ],
    ),
    DemoAction(
        Category.REFERENTIELS,
        "LIDAR",
        "Suivre le programme LIDAR HD de l'IGN dans la région, compléter les "
        "zones à enjeux (montagne, littoral) et diffuser les produits dérivés.",
        leads=[IGN],
        signatory=IGN,
        partners=["CEN Occitanie", "UT2J"],
        theme="lidar",
        milestones=[
            ("Blocs LIDAR HD des Pyrénées survolés", D(2024, 10, 31), None),
            ("Modèles numériques de terrain diffusés", D(2025, 6, 30), None),
        ],
        indicators=[("Blocs LIDAR HD livrés", 60, 42, "blocs")],
        updates=[
            DemoUpdate(
                D(2024, 4, 18),
                "Les vols ont repris dans les Pyrénées après l'hiver.",
                50,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(D(2024, 11, 7), "42 blocs livrés sur 60.", 70),
        ],
        needs=[
            "LIDAR HD des Pyrénées pour les risques naturels",
            "LIDAR HD des vallées du Lot et du Célé",
        ],
        referentiel="lidar",
    ),
    DemoAction(
        Category.REFERENTIELS,
        "Adresses",
        "Aider les petites communes à créer et certifier leur base adresse locale "
        "(BAL) et à la publier dans la Base adresse nationale.",
        leads=["CD32", OPENIG],
        signatory=PREFECTURE,
        partners=["DDT 31", "CD48"],
        theme="adresses",
        milestones=[
            ("Ateliers BAL dans le Gers et la Lozère", D(2024, 5, 31), D(2024, 5, 30)),
            ("Communes accompagnées certifiées", D(2024, 11, 30), D(2024, 11, 26)),
        ],
        indicators=[("Communes avec une BAL certifiée", 250, 263, "communes")],
        updates=[
            DemoUpdate(
                D(2024, 5, 30),
                "Six ateliers tenus, 120 communes inscrites.",
                40,
                Status.IN_PROGRESS,
            ),
            DemoUpdate(
                D(2024, 11, 26),
                "263 communes ont publié une BAL certifiée : objectif dépassé.",
                100,
                Status.DONE,
            ),
        ],
        needs=[
            "Adressage des petites communes de l'Aubrac lozérien",
            "Bases adresses locales des communes du Gers",
            "Certification des adresses du Sicoval",
        ],
        referentiel="adresses",
    ),
    # --- Thématiques transversales ------------------------------------------
    DemoAction(
        Category.TRANSVERSAL,
        "Traitement des images spatiales",
        "Partager les chaînes de traitement des images satellitaires (Sentinel, "
        "Pléiades) entre organismes et former les équipes à leur usage.",
        leads=["MTD", "CLS"],
        signatory=REGION,
        partners=["UM", "Magellium"],
        milestones=[
            ("Catalogue des chaînes de traitement", D(2024, 6, 30), D(2024, 7, 2)),
            ("Sessions de formation", D(2024, 12, 15), None),
        ],
        indicators=[("Personnes formées", 80, 35, "personnes")],
        updates=[
            DemoUpdate(
                D(2024, 7, 2),
                "Catalogue de 14 chaînes de traitement publié.",
                45,
                Status.IN_PROGRESS,
            ),
        ],
    ),
    DemoAction(
        Category.TRANSVERSAL,
        "Changement climatique",
        "Rassembler les données géographiques utiles à l'adaptation au "
        "changement climatique (îlots de chaleur, sécheresse, retrait du trait de "
        "côte) et les rendre accessibles aux collectivités.",
        leads=["DREAL Occitanie"],
        signatory=PREFECTURE,
        partners=["ATMO Occitanie", "CEN Occitanie", "UPVD"],
        milestones=[
            ("Inventaire des données disponibles", D(2024, 12, 31), None),
        ],
        indicators=[("Jeux de données recensés", 50, 0, "jeux")],
    ),
    DemoAction(
        Category.TRANSVERSAL,
        "Jumeau numérique",
        "Explorer les usages d'un jumeau numérique du territoire (3D, réseaux, "
        "simulation) à partir des référentiels partagés, avec une agglomération "
        "pilote.",
        leads=[TOULOUSE_METROPOLE],
        signatory=REGION,
        partners=[IGN, "Makina Corpus", "Geomatys"],
        milestones=[
            ("Atelier des usages", D(2024, 5, 23), D(2024, 5, 23)),
            ("Démonstrateur sur un quartier de Toulouse", D(2025, 5, 31), None),
        ],
        indicators=[("Cas d'usage documentés", 6, 2, "cas")],
        updates=[
            DemoUpdate(
                D(2024, 5, 24),
                "Atelier des usages : urbanisme, risques, réseaux retenus.",
                20,
                Status.IN_PROGRESS,
            ),
        ],
    ),
    # --- Thématiques particulières -----------------------------------------
    DemoAction(
        Category.PARTICULAR,
        "Forêts anciennes",
        "Cartographier les forêts anciennes d'Occitanie à partir des cartes "
        "d'état-major et des données LIDAR, pour leur prise en compte dans les "
        "documents d'urbanisme.",
        leads=["CEN Occitanie"],
        signatory=PREFECTURE,
        partners=[IGN, "UT2J"],
        theme="environnement",
        milestones=[
            ("Méthode de photo-interprétation", D(2024, 4, 30), D(2024, 4, 26)),
            ("Couche régionale des forêts anciennes", D(2025, 6, 30), None),
        ],
        indicators=[("Départements cartographiés", 13, 6, "départements")],
        updates=[
            DemoUpdate(
                D(2024, 4, 26), "Méthode arrêtée avec l'IGN.", 20, Status.IN_PROGRESS
            ),
            DemoUpdate(D(2024, 12, 12), "Six départements cartographiés.", 50),
        ],
        needs=["LIDAR HD de l'Ariège pour les tourbières de montagne"],
    ),
    DemoAction(
        Category.PARTICULAR,
        "Littoral occitan",
        "Suivre l'évolution du trait de côte et des lagunes du littoral occitan "
        "avec des levés LIDAR topo-bathymétriques et les observatoires locaux.",
        leads=["DDTM 34", "DDTM 66"],
        signatory=PREFECTURE,
        partners=["UM", "UPVD", REGION, PERPIGNAN_METROPOLE],
        theme="environnement",
        budget=180000,
        milestones=[
            ("Levé topo-bathymétrique de l'étang de Thau", D(2024, 9, 30), None),
            ("Atlas du trait de côte", D(2025, 3, 31), None),
        ],
        indicators=[("Kilomètres de côte levés", 220, 60, "km")],
        updates=[
            DemoUpdate(
                D(2024, 9, 19),
                "Levé de Thau reporté à l'automne : météo défavorable.",
                30,
                Status.IN_PROGRESS,
            ),
        ],
        needs=["LIDAR topo-bathymétrique de l'étang de Thau"],
    ),
]


def _organisation(key: str) -> Organisation | None:
    return (
        Organisation.objects.filter(acronym=key).first()
        or Organisation.objects.filter(siren=key).first()
        or Organisation.objects.filter(name=key).first()
    )


def _organisations(keys: list[str]) -> list[Organisation]:
    found = [_organisation(key) for key in keys]
    return [organisation for organisation in found if organisation is not None]


def _action_data(spec: DemoAction) -> ActionData:
    leads = _organisations(spec.leads) or _organisations([OPENIG])
    partners = [o for o in _organisations(spec.partners) if o not in leads]
    signatory = Signatory.objects.filter(organisation__name=spec.signatory).first()
    return ActionData(
        category=spec.category,
        title=spec.title,
        objectives=spec.objectives,
        lead_ids=[o.pk for o in leads],
        signatory_id=signatory.pk if signatory else None,
        partner_ids=[o.pk for o in partners],
        theme=spec.theme,
        # Every action starts proposed; its progress updates move it along.
        status=Status.PROPOSED,
        progress=0,
        budget=Decimal(spec.budget) if spec.budget is not None else None,
        milestones=[
            MilestoneData(title, due, done) for title, due, done in spec.milestones
        ],
        indicators=[
            IndicatorData(name, Decimal(target), Decimal(now), unit)
            for name, target, now, unit in spec.indicators
        ],
    )


def _author(action: Action, secretariat: User) -> User:
    """A demo person of a lead organisation, else the secretariat."""
    membership = (
        Membership.objects.filter(
            organisation__in=action.leads.all(), person__is_active=True
        )
        .select_related("person")
        .order_by("organisation__name", "pk")
        .first()
    )
    return membership.person if membership else secretariat


def demo_pdf(title: str) -> bytes:
    """A one-page PDF showing ``title``, written by hand (no PDF library is
    needed for so little): enough for a viewer to open it."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 16 Tf 60 760 Td (" + text + b") Tj ET"
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


def _post_updates(action: Action, updates: list[DemoUpdate], secretariat) -> None:
    author = _author(action, secretariat)
    for update in updates:
        services.progress_update_add(
            actor=author,
            action=action,
            dated=update.dated,
            body=update.body,
            progress=update.progress,
            status=update.status,
            attachment=(
                (f"{update.attachment}.pdf", demo_pdf(update.attachment))
                if update.attachment
                else None
            ),
        )


def _link(action: Action, spec: DemoAction, secretariat) -> None:
    from crig.catalog.selectors.visibility import datasets_published_to
    from crig.funding.models import FundingRequest
    from crig.funding.selectors.requests import requests_visible_to
    from crig.needs.selectors.needs import needs_visible_to

    needs = list(
        needs_visible_to(secretariat)
        .filter(title__in=spec.needs)
        .values_list("pk", flat=True)
    )
    datasets = []
    requests = []
    if spec.referentiel:
        datasets = list(
            datasets_published_to(secretariat)
            .filter(referentiel=spec.referentiel)
            .order_by("-year", "title", "pk")
            .values_list("pk", flat=True)[:3]
        )
        requests = list(
            requests_visible_to(secretariat)
            .filter(theme=spec.referentiel)
            .exclude(
                state__in=[
                    FundingRequest.State.DRAFT,
                    FundingRequest.State.INADMISSIBLE,
                    FundingRequest.State.WITHDRAWN,
                ]
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:2]
        )
    if needs or datasets or requests:
        services.action_link(
            actor=secretariat,
            action=action,
            need_ids=needs,
            funding_request_ids=requests,
            dataset_ids=datasets,
        )


def _plan_2024(secretariat, stdout) -> Plan:
    plan = Plan.objects.filter(year=2024).first()
    if plan is not None:
        stdout.write("  the 2024 action plan is already there")
        return plan
    plan = services.plan_create(
        actor=secretariat,
        year=2024,
        title="Plan d'actions 2024",
        introduction=PLAN_2024_INTRODUCTION,
    )
    actions = [
        services.action_create(actor=secretariat, plan=plan, data=_action_data(spec))
        for spec in ACTIONS_2024
    ]
    services.plan_publish(actor=secretariat, plan=plan)
    # Read again: the actions' own copy of their plan still says "draft".
    actions = list(plan.actions.order_by("number"))
    for action, spec in zip(actions, ACTIONS_2024, strict=True):
        _link(action, spec, secretariat)
        _post_updates(action, spec.updates, secretariat)
    linked = sum(
        1 for a in plan.actions.all() if a.needs.exists() or a.datasets.exists()
    )
    stdout.write(
        f"  the 2024 action plan: {len(actions)} actions, {linked} linked to needs "
        "or datasets"
    )
    return plan


def _plan_2025(plan_2024: Plan, secretariat, stdout) -> Plan:
    plan = Plan.objects.filter(year=2025).first()
    if plan is not None:
        stdout.write("  the 2025 action plan is already there")
        return plan
    plan = services.plan_roll_over(actor=secretariat, plan=plan_2024)
    services.plan_update(
        actor=secretariat,
        plan=plan,
        title="Plan d'actions 2025",
        introduction=(
            "Le plan 2025 reconduit les actions du plan 2024 qui n'étaient pas "
            "terminées ; chacune renvoie à son année précédente."
        ),
    )
    services.plan_publish(actor=secretariat, plan=plan)
    specs = {spec.title: spec for spec in ACTIONS_2024}
    for action in plan.actions.order_by("number"):
        spec = specs.get(action.title)
        if spec is not None and spec.updates_2025:
            _post_updates(action, spec.updates_2025, secretariat)
    stdout.write(
        f"  the 2025 action plan, rolled over from 2024: {plan.actions.count()} "
        "actions carried over"
    )
    return plan


def load_demo(*, stdout) -> None:
    """Load the action-plan demo (see the module docstring); idempotent."""
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    plan_2024 = _plan_2024(secretariat, stdout)
    _plan_2025(plan_2024, secretariat, stdout)
