"""CRIG Occitanie demo: the convention, its four signatories, member organisations
of every category with their perimeters, and one account per role.

Organisations are real; SIREN numbers are given only where certain (EPCI numbers
come from the territory tables). OPenIG membership flags and years are
illustrative. Runs after the territory is loaded; running it twice changes nothing.
"""

import datetime
from dataclasses import dataclass, field

from crig.members import services
from crig.members.models import Membership, Organisation, User
from crig.members.search import normalise_for_search
from crig.territory.models import EPCI, Departement

C = Organisation.Category
REGION_DEPARTEMENTS = [
    "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
]  # fmt: skip
# How the council departments call themselves ("Conseil départemental de l'Aude").
DEPARTEMENT_ARTICLES = {
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


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    category: str
    acronym: str = ""
    siren: str | None = None
    website: str = ""
    openig_since: int | None = None
    communes: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    full_name: str


SIGNATORIES = [
    # (organisation name, role fr, role en, community fr, community en)
    (
        "Préfecture de la région Occitanie",
        "Représente l'État en région et coordonne l'action de ses services dans le "
        "domaine de l'information géographique.",
        "Represents the State in the region and coordinates its services' work on "
        "geographic information.",
        "Services de l'État en région",
        "State services in the region",
    ),
    (
        "Région Occitanie",
        "Porte la politique régionale de la donnée géographique et cofinance les "
        "acquisitions mutualisées.",
        "Leads the regional geographic data policy and co-funds pooled data "
        "acquisitions.",
        "Collectivités territoriales",
        "Local authorities",
    ),
    (
        "IGN Occitanie",
        "Apporte les référentiels et l'expertise de l'IGN et relaie les besoins du "
        "territoire vers l'établissement national.",
        "Brings IGN's reference data and expertise, and relays the region's needs to "
        "the national institute.",
        "Producteurs et utilisateurs des référentiels nationaux",
        "Producers and users of national reference data",
    ),
    (
        "OPenIG",
        "Assure le secrétariat du CRIG et anime la communauté régionale de "
        "l'information géographique.",
        "Runs the CRIG secretariat and leads the regional geographic-information "
        "community.",
        "Adhérents de l'association OPenIG",
        "Members of the OPenIG association",
    ),
]

ORGANISATIONS = [
    # The signatories.
    DemoOrganisation(
        "Préfecture de la région Occitanie",
        C.ETAT,
        website="https://www.prefectures-regions.gouv.fr/occitanie",
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "Région Occitanie",
        C.COLLECTIVITE,
        siren="200053791",
        website="https://www.laregion.fr/",
        openig_since=2017,
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "IGN Occitanie",
        C.IGN,
        acronym="IGN",
        website="https://www.ign.fr/",
        openig_since=2017,
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "OPenIG",
        C.OPENIG,
        website="https://www.openig.org/",
        departements=REGION_DEPARTEMENTS,
    ),
    # State services.
    DemoOrganisation(
        "Direction régionale de l'environnement, de l'aménagement et du logement "
        "d'Occitanie",
        C.ETAT,
        acronym="DREAL Occitanie",
        website="https://www.occitanie.developpement-durable.gouv.fr/",
        openig_since=2017,
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "Direction départementale des territoires de la Haute-Garonne",
        C.ETAT,
        acronym="DDT 31",
        departements=["31"],
    ),
    DemoOrganisation(
        "Direction départementale des territoires et de la mer de l'Hérault",
        C.ETAT,
        acronym="DDTM 34",
        departements=["34"],
    ),
    DemoOrganisation(
        "Direction départementale des territoires et de la mer de l'Aude",
        C.ETAT,
        acronym="DDTM 11",
        departements=["11"],
    ),
    DemoOrganisation(
        "Direction départementale des territoires et de la mer des Pyrénées-Orientales",
        C.ETAT,
        acronym="DDTM 66",
        departements=["66"],
    ),
    DemoOrganisation(
        "Direction départementale des territoires du Tarn",
        C.ETAT,
        acronym="DDT 81",
        departements=["81"],
    ),
    # Local authorities: métropoles and agglomérations (perimeter = their EPCI).
    *[
        DemoOrganisation("", C.COLLECTIVITE, siren=siren, epcis=[siren], openig_since=y)
        for siren, y in [
            ("243100518", 2017),  # Toulouse Métropole
            ("243400017", 2017),  # Montpellier Méditerranée Métropole
            ("241100593", None),  # CA Le Grand Narbonne
            ("200027183", 2018),  # CU Perpignan Méditerranée Métropole
            ("200069300", None),  # CA Tarbes-Lourdes-Pyrénées
            ("243000643", None),  # CA de Nîmes Métropole
            ("243100633", 2019),  # CA du Sicoval
            ("248100737", None),  # CA de l'Albigeois
        ]
    ],
    # Other public bodies and associations.
    DemoOrganisation(
        "Service départemental d'incendie et de secours de la Haute-Garonne",
        C.AUTRE_PUBLIC,
        acronym="SDIS 31",
        departements=["31"],
    ),
    DemoOrganisation(
        "Service départemental d'incendie et de secours de l'Hérault",
        C.AUTRE_PUBLIC,
        acronym="SDIS 34",
        openig_since=2020,
        departements=["34"],
    ),
    DemoOrganisation(
        "Agence d'urbanisme et d'aménagement Toulouse aire métropolitaine",
        C.AUTRE_PUBLIC,
        acronym="AUAT",
        website="https://www.aua-toulouse.org/",
        openig_since=2018,
        epcis=["243100518", "200068641", "243100633"],
    ),
    DemoOrganisation(
        "ATMO Occitanie",
        C.AUTRE_PUBLIC,
        website="https://www.atmo-occitanie.org/",
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "Conservatoire d'espaces naturels d'Occitanie",
        C.AUTRE_PUBLIC,
        acronym="CEN Occitanie",
        departements=REGION_DEPARTEMENTS,
    ),
    DemoOrganisation(
        "Conseil régional de l'Ordre des géomètres-experts de Toulouse",
        C.AUTRE_PUBLIC,
        acronym="OGE Toulouse",
        departements=["09", "12", "31", "32", "46", "65", "81", "82"],
    ),
    DemoOrganisation(
        "Conseil régional de l'Ordre des géomètres-experts de Montpellier",
        C.AUTRE_PUBLIC,
        acronym="OGE Montpellier",
        departements=["11", "30", "34", "48", "66"],
    ),
    # Companies.
    DemoOrganisation(
        "Makina Corpus",
        C.ENTREPRISE,
        website="https://makina-corpus.com/",
        openig_since=2019,
        communes=["31555"],
    ),
    DemoOrganisation(
        "Geomatys",
        C.ENTREPRISE,
        website="https://www.geomatys.com/",
        communes=["34172"],
    ),
    DemoOrganisation("Magellium", C.ENTREPRISE, website="https://www.magellium.com/"),
    DemoOrganisation(
        "Collecte Localisation Satellites",
        C.ENTREPRISE,
        acronym="CLS",
        website="https://www.cls.fr/",
    ),
    # Academia and research.
    DemoOrganisation(
        "Université Toulouse Jean Jaurès",
        C.ACADEMIQUE,
        acronym="UT2J",
        website="https://www.univ-tlse2.fr/",
        openig_since=2018,
        communes=["31555"],
    ),
    DemoOrganisation(
        "Université de Montpellier",
        C.ACADEMIQUE,
        acronym="UM",
        website="https://www.umontpellier.fr/",
        communes=["34172"],
    ),
    DemoOrganisation(
        "Université de Perpignan Via Domitia",
        C.ACADEMIQUE,
        acronym="UPVD",
        website="https://www.univ-perp.fr/",
        communes=["66136"],
    ),
    DemoOrganisation(
        "Maison de la télédétection en Languedoc-Roussillon",
        C.ACADEMIQUE,
        acronym="MTD",
        website="https://www.teledetection.fr/",
        communes=["34172"],
    ),
]

ACCOUNTS = [
    # (role, e-mail, demo password, full name)
    ("member", "membre@demo.crig.example", "demo-membre", "Marie Membre"),
    ("referent", "referent@demo.crig.example", "demo-referent", "Rémi Référent"),
    ("reviewer (Région Occitanie)", "relecteur@demo.crig.example", "demo-relecteur",
     "Rita Relectrice"),
    ("secretariat", "secretariat@demo.crig.example", "demo-secretariat",
     "Sophie Secrétariat"),
    ("administrator", "admin@demo.crig.example", "demo-admin", "Adam Admin"),
]  # fmt: skip


def _departement_organisations() -> list[DemoOrganisation]:
    names = dict(Departement.objects.values_list("code", "name"))
    return [
        DemoOrganisation(
            f"Conseil départemental {DEPARTEMENT_ARTICLES[code]}",
            C.COLLECTIVITE,
            acronym=f"CD{code}",
            departements=[code],
            openig_since=2017 if code in {"31", "34", "66"} else None,
        )
        for code in REGION_DEPARTEMENTS
        if code in names
    ]


def _ensure_organisation(spec: DemoOrganisation) -> Organisation:
    name = spec.name
    if not name:  # an EPCI: its official name comes from the territory tables
        name = EPCI.objects.get(siren=spec.siren).name
    facts = {
        "name": name,
        "category": spec.category,
        "acronym": spec.acronym,
        "siren": spec.siren,
        "website": spec.website,
        "is_openig_member": spec.openig_since is not None or spec.category == C.OPENIG,
        "openig_member_since": spec.openig_since,
    }
    existing = Organisation.objects.filter(
        search_name=normalise_for_search(name)
    ).first()
    if existing is None:
        organisation = services.organisation_create(**facts)
    else:
        organisation = services.organisation_update(organisation=existing, **facts)
    if spec.communes or spec.epcis or spec.departements:
        services.organisation_set_perimeter(
            organisation=organisation,
            communes=spec.communes,
            epcis=spec.epcis,
            departements=spec.departements,
        )
    return organisation


def _ensure_account(email, password, full_name, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name, **flags)
    else:
        for name, value in flags.items():
            setattr(user, name, value)
        user.full_name = full_name
        user.set_password(password)
        user.is_active = True
        user.save()
    return user


def _ensure_membership(user, organisation, role) -> None:
    if not Membership.objects.filter(person=user, organisation=organisation).exists():
        services.membership_add(person=user, organisation=organisation, role=role)
    else:
        services.membership_set_role(person=user, organisation=organisation, role=role)


def load_demo(*, stdout) -> list[DemoAccount]:
    """Load the members demo; return the demo accounts (with their passwords)."""
    specs = ORGANISATIONS + _departement_organisations()
    organisations = {}
    for spec in specs:
        organisation = _ensure_organisation(spec)
        organisations[organisation.name] = organisation
    stdout.write(f"  {len(organisations)} organisations with their perimeters")

    convention = services.convention_save(
        name="Convention du Conseil régional de l'information géographique d'Occitanie",
        signed_on=datetime.date(2019, 6, 1),
        term_years=3,
        renewed_on=datetime.date(2022, 6, 1),
    )
    signatories = {}
    for position, (name, role_fr, role_en, community_fr, community_en) in enumerate(
        SIGNATORIES, start=1
    ):
        signatories[name] = services.signatory_save(
            convention=convention,
            organisation=organisations[name],
            position=position,
            role_fr=role_fr,
            role_en=role_en,
            community_fr=community_fr,
            community_en=community_en,
        )
    stdout.write("  the convention and its 4 signatories")

    toulouse = organisations["Toulouse Métropole"]
    accounts = []
    for (role, email, password, full_name), flags in zip(
        ACCOUNTS,
        [
            {},
            {},
            {},
            {"is_secretariat": True, "is_staff": True},
            {"is_superuser": True, "is_staff": True},
        ],
        strict=True,
    ):
        user = _ensure_account(email, password, full_name, **flags)
        accounts.append(DemoAccount(role, email, password, full_name))
        if role == "member":
            _ensure_membership(user, toulouse, Membership.Role.MEMBER)
        elif role == "referent":
            _ensure_membership(user, toulouse, Membership.Role.REFERENT)
        elif role.startswith("reviewer"):
            _ensure_membership(
                user, organisations["Région Occitanie"], Membership.Role.MEMBER
            )
            services.reviewer_assign(
                person=user, signatory=signatories["Région Occitanie"]
            )
        elif role == "secretariat":
            _ensure_membership(user, organisations["OPenIG"], Membership.Role.MEMBER)
    stdout.write(f"  {len(accounts)} demo accounts, one per role")
    return accounts
