"""Meetings and events demo: the annual CRIG days 2020–2024 with their registrations,
the next annual day open for registration, the council's three meetings of 2024
and the next one in preparation.

**The 2024 day reproduces the council's own figures.** The presentation of the
19 November 2024 day in Toulouse ("C – Qui êtes-vous ?") shows 164 confirmed
registrants, 46 % who had come to a CRIG day before, 70 % OPenIG members, and
the split by kind of organisation in the council's order, decreasing. The demo
registers exactly:

- 164 confirmed (plus 7 cancelled), 141 present;
- 75 of the 164 were confirmed at an earlier annual day under the same e-mail
  address, so the share *computed* by matching people is 75/164 = 45.7 % → 46 %;
  76 *declared* they had come (72 of those 75, plus 4 who came under another
  address): 76/164 = 46.3 % → 46 %;
- 115 OPenIG members: 115/164 = 70.1 % → 70 %;
- by category: Collectivités 62, Entreprises/SCOP 34, Autres structures
  publiques/associations 24, OPenIG 16, IGN 12, État 9, Académique 7;
- from the 13 départements, most from Haute-Garonne (70) and Hérault (38).

The earlier days (2020, 2022 in Toulouse; 2021, 2023 in Montpellier) have their
own registrants, among whom the 75 returners of 2024, and people who came
several years running; the 2023 day was full: three cancellations moved its
waiting list, four people stayed on it. Every past day has check-ins (present <
confirmed).

**The next annual day** is dated about three months after the day the demo is
loaded (so that registration is open whenever it is loaded) and named after its
year, in Montpellier (the days alternate with Toulouse); 180 places, a
programme, two dozen registrants so far.

**People are fictitious.** Names are drawn (with a fixed seed) from common French
first names and surnames; addresses are ``prenom.nom@demo.crig.example`` (RFC
2606 ``example``: nothing reaches anyone). Organisations are mostly typed as a
registrant would; some are picked from the members demo's directory when one
of the right kind (category and OPenIG membership) exists.

**Through the services.** Registrations go through ``registration_create``
with ``notify=False`` (no e-mail for history) and ``past=True`` for the past days
(their registration window is over), cancellations through
``registration_cancel_by_staff`` (so the waiting list moves as in real life),
check-ins through ``registration_check_in`` with the day's time, publication of
meetings through ``meeting_publish``. Events, sessions, meetings, agenda items,
attendance and decisions have no service (the secretariat writes them in the
admin): they are created here directly.

**Meetings** link to what the other demos created when they are loaded (the
2024 action plan's actions, needs and the 2024 prioritisation round, funding
requests and a published opinion); without them the items stay unlinked.

Runs after the members demo (the secretariat account) and, for the links, after
the needs, action plan and funding demos. A second run changes nothing: an event
is identified by its slug, a meeting by its title and date.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from crig.events import services
from crig.events.models import (
    AgendaItem,
    Attendance,
    Decision,
    Event,
    Meeting,
    Registration,
    Session,
)
from crig.events.services import RegistrationData
from crig.members.models import Organisation, Signatory, User

SECRETARIAT_EMAIL = "secretariat@demo.crig.example"
EMAIL_DOMAIN = "demo.crig.example"
C = Organisation.Category
Kind = AgendaItem.Kind

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura",
    "Marion", "Claire", "Anaïs", "Pauline", "Élise", "Mathilde", "Céline", "Sophie",
    "Aurélie", "Nathalie", "Isabelle", "Hélène", "Margaux", "Lucie", "Agathe",
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Hugo", "Lucas", "Louis",
    "Pierre", "Romain", "Guillaume", "Mathieu", "Sébastien", "Olivier", "Vincent",
    "Jérôme", "François", "Benoît", "Damien", "Fabien", "Arnaud", "Cédric", "Yann",
    "Bastien", "Florian", "Quentin", "Adrien", "Émile", "Jordi", "Pau", "Martí",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent",
    "Simon", "Michel", "Garcia", "Martinez", "Lopez", "Sanchez", "Fernandez",
    "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
    "Rousseau", "Vincent", "Muller", "Faure", "Andre", "Mercier", "Blanc",
    "Guerin", "Boyer", "Garnier", "Chevalier", "Francois", "Legrand", "Gauthier",
    "Perrin", "Robin", "Clement", "Morin", "Nicolas", "Henry", "Roussel",
    "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumas",
    "Cazals", "Bousquet", "Castan", "Fabre", "Vidal", "Puech", "Teisseire",
    "Delmas", "Rouquette", "Carrère", "Sabatier", "Pujol", "Marty", "Bories",
    "Combes", "Estève", "Barthe", "Ribes", "Azéma", "Escudier", "Soulié",
]  # fmt: skip

# Places.
TOULOUSE = {
    "place_name": "Hôtel de Région, Toulouse",
    "address": "22 boulevard du Maréchal Juin, 31400 Toulouse",
    "longitude": 1.4535,
    "latitude": 43.5873,
}
MONTPELLIER = {
    "place_name": "Hôtel de Région, Montpellier",
    "address": "201 avenue de la Pompignane, 34000 Montpellier",
    "longitude": 3.8985,
    "latitude": 43.6092,
}

# The 2024 day: the presentation's figures (see the module docstring).
CATEGORIES_2024 = [
    # (category, registrants, of whom OPenIG members)
    (C.COLLECTIVITE, 62, 48),
    (C.ENTREPRISE, 34, 20),
    (C.AUTRE_PUBLIC, 24, 15),
    (C.OPENIG, 16, 16),
    (C.IGN, 12, 8),
    (C.ETAT, 9, 5),
    (C.ACADEMIQUE, 7, 3),
]
DEPARTEMENTS_2024 = {
    "31": 70, "34": 38, "30": 10, "11": 7, "66": 7, "81": 6, "82": 5,
    "65": 4, "12": 4, "32": 4, "09": 3, "46": 3, "48": 3,
}  # fmt: skip
RETURNERS_2024 = 75  # confirmed at an earlier annual day under the same address
RETURNERS_WHO_SAY_NO = 3  # forgot, or came to a workshop only
NEWCOMERS_WHO_SAY_YES = 4  # came before under another address
CANCELLED_2024 = 7
PRESENT_2024 = 141

TOWNS = {
    "09": ["Foix", "Pamiers", "Saint-Girons"],
    "11": ["Carcassonne", "Narbonne", "Castelnaudary"],
    "12": ["Rodez", "Millau", "Villefranche-de-Rouergue"],
    "30": ["Nîmes", "Alès", "Bagnols-sur-Cèze"],
    "31": ["Toulouse", "Muret", "Saint-Gaudens", "Colomiers", "Blagnac"],
    "32": ["Auch", "Condom"],
    "34": ["Montpellier", "Béziers", "Sète", "Lunel"],
    "46": ["Cahors", "Figeac"],
    "48": ["Mende", "Marvejols"],
    "65": ["Tarbes", "Lourdes"],
    "66": ["Perpignan", "Prades"],
    "81": ["Albi", "Castres"],
    "82": ["Montauban", "Castelsarrasin"],
}
DEPARTEMENT_NAMES = {
    "09": "Ariège", "11": "Aude", "12": "Aveyron", "30": "Gard",
    "31": "Haute-Garonne", "32": "Gers", "34": "Hérault", "46": "Lot",
    "48": "Lozère", "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales",
    "81": "Tarn", "82": "Tarn-et-Garonne",
}  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    email: str
    category: str
    is_openig_member: bool
    departement: str
    organisation_name: str


@dataclass(frozen=True)
class DemoDay:
    year: int
    day: datetime.date
    place: dict
    capacity: int | None
    present_share: float  # of the confirmed, for the check-ins


PAST_DAYS = [
    DemoDay(2020, datetime.date(2020, 11, 24), TOULOUSE, 150, 0.86),
    DemoDay(2021, datetime.date(2021, 11, 23), MONTPELLIER, 150, 0.88),
    DemoDay(2022, datetime.date(2022, 11, 22), TOULOUSE, 160, 0.85),
    DemoDay(2023, datetime.date(2023, 11, 21), MONTPELLIER, 120, 0.9),
    DemoDay(2024, datetime.date(2024, 11, 19), TOULOUSE, 180, 0.0),
]
# Confirmed registrants of the days before 2024, and the chance that a 2024
# returner came to each of them.
EARLIER_CONFIRMED = {2020: 85, 2021: 96, 2022: 118, 2023: 120}
RETURNER_ATTENDS = {2020: 0.3, 2021: 0.3, 2022: 0.4, 2023: 0.5}
# 2023: full; these cancel, and these stay on the waiting list.
CANCELLED_2023 = 3
STILL_WAITING_2023 = 4


def _ascii(text: str) -> str:
    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "-")
    )


def _organisation_name(category: str, departement: str, rng: random.Random) -> str:
    town = rng.choice(TOWNS[departement])
    name = DEPARTEMENT_NAMES[departement]
    choices = {
        C.COLLECTIVITE: [
            f"Mairie de {town}",
            f"Communauté de communes du pays de {town}",
            f"Conseil départemental ({name})",
            f"Syndicat départemental d'énergie ({name})",
        ],
        C.ENTREPRISE: [
            f"Cabinet de géomètres-experts de {town}",
            "SCOP Territoires & Cartes (démo)",
            f"Bureau d'études Géo{_ascii(town)[:4].capitalize()} (démo)",
            "Drone Relevés Sud (démo)",
        ],
        C.AUTRE_PUBLIC: [
            f"CAUE ({name})",
            f"Agence d'urbanisme de {town}",
            f"Syndicat mixte de bassin ({name})",
            "Association Géomatique citoyenne (démo)",
        ],
        C.OPENIG: ["OPenIG"],
        C.IGN: ["IGN — direction territoriale Sud-Ouest"],
        C.ETAT: [f"DDT ({name})", "DREAL Occitanie", "DRAAF Occitanie"],
        C.ACADEMIQUE: [
            "Université de Toulouse",
            "Université de Montpellier",
            "INRAE Occitanie",
        ],
    }[category]
    return rng.choice(choices)


class _People:
    """Fictitious people with unique names and addresses, drawn with a seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, category: str, is_member: bool, departement: str) -> DemoPerson:
        while True:
            first = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(LAST_NAMES)
            email = f"{_ascii(first)}.{_ascii(last)}@{EMAIL_DOMAIN}"
            if email not in self.used:
                self.used.add(email)
                break
        return DemoPerson(
            full_name=f"{first} {last}",
            email=email,
            category=category,
            is_openig_member=is_member,
            departement=departement,
            organisation_name=_organisation_name(category, departement, self.rng),
        )

    def anyone(self) -> DemoPerson:
        category = self.rng.choices(
            [c for c, *_ in CATEGORIES_2024], weights=[n for _, n, _ in CATEGORIES_2024]
        )[0]
        departement = self.rng.choices(
            list(DEPARTEMENTS_2024), weights=list(DEPARTEMENTS_2024.values())
        )[0]
        is_member = category == C.OPENIG or self.rng.random() < 0.65
        return self.make(category, is_member, departement)


@dataclass
class Plan:
    """Who registers for each past day, in which order, and what becomes of them."""

    confirmed: dict[int, list[DemoPerson]]
    declared: dict[int, set[str]]  # e-mails answering "attended before"
    cancelled: dict[int, list[DemoPerson]]
    still_waiting: dict[int, list[DemoPerson]]


def build_plan(seed: int = 20241119) -> Plan:
    """The registrants of the five past days (pure, no database)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, no secret
    people = _People(rng)

    attributes = []
    for category, count, members in CATEGORIES_2024:
        attributes += [(category, index < members) for index in range(count)]
    departements = [code for code, n in DEPARTEMENTS_2024.items() for _ in range(n)]
    rng.shuffle(attributes)
    rng.shuffle(departements)
    day_2024 = [
        people.make(category, member, departement)
        for (category, member), departement in zip(
            attributes, departements, strict=True
        )
    ]
    returners = rng.sample(day_2024, RETURNERS_2024)
    returner_emails = {person.email for person in returners}
    newcomers = [p for p in day_2024 if p.email not in returner_emails]
    declared_2024 = {p.email for p in returners[RETURNERS_WHO_SAY_NO:]} | {
        p.email for p in newcomers[:NEWCOMERS_WHO_SAY_YES]
    }

    # Which earlier days each returner came to (at least one).
    came: dict[int, list[DemoPerson]] = {year: [] for year in EARLIER_CONFIRMED}
    for person in returners:
        years = [y for y, p in RETURNER_ATTENDS.items() if rng.random() < p]
        for year in years or [2023]:
            came[year].append(person)

    confirmed: dict[int, list[DemoPerson]] = {}
    declared: dict[int, set[str]] = {2024: declared_2024}
    seen: list[DemoPerson] = []  # people of the earlier days, not back in 2024
    ever: set[str] = set()
    for year, count in EARLIER_CONFIRMED.items():
        attendees = list(came[year])
        emails = {p.email for p in attendees}
        regulars = [p for p in seen if p.email not in emails]
        rng.shuffle(regulars)
        for person in regulars[: int(0.35 * (count - len(attendees)))]:
            attendees.append(person)
            emails.add(person.email)
        while len(attendees) < count:
            attendees.append(people.anyone())
        rng.shuffle(attendees)
        confirmed[year] = attendees
        declared[year] = {
            p.email for p in attendees if p.email in ever and rng.random() < 0.9
        }
        ever |= {p.email for p in attendees}
        seen += [p for p in attendees if p.email not in returner_emails]
        seen = list({p.email: p for p in seen}.values())
    confirmed[2024] = day_2024
    return Plan(
        confirmed=confirmed,
        declared=declared,
        cancelled={
            2023: [people.anyone() for _ in range(CANCELLED_2023)],
            2024: [people.anyone() for _ in range(CANCELLED_2024)],
        },
        still_waiting={2023: [people.anyone() for _ in range(STILL_WAITING_2023)]},
    )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute))
    )


def _directory() -> dict[tuple[str, bool], list[Organisation]]:
    found: dict[tuple[str, bool], list[Organisation]] = {}
    for organisation in Organisation.objects.order_by("name"):
        key = (organisation.category, organisation.is_openig_member)
        found.setdefault(key, []).append(organisation)
    return found


def _data(
    person: DemoPerson,
    *,
    index: int,
    declared: bool,
    directory: dict[tuple[str, bool], list[Organisation]],
) -> RegistrationData:
    # One in four picks an organisation of the right kind from the directory, the
    # others type theirs.
    candidates = directory.get((person.category, person.is_openig_member), [])
    organisation = (
        candidates[index % len(candidates)] if candidates and index % 4 == 0 else None
    )
    return RegistrationData(
        full_name=person.full_name,
        email=person.email,
        category=person.category,
        organisation_id=organisation.pk if organisation else None,
        organisation_name="" if organisation else person.organisation_name,
        departement=person.departement,
        is_openig_member=person.is_openig_member,
        attended_before=declared,
        dietary_needs="Végétarien" if index % 9 == 0 else "",
        accessibility_needs="Accès en fauteuil roulant" if index % 47 == 5 else "",
        consent_to_list=index % 3 != 1,
    )


def _programme(event: Event, day: datetime.date, city: str) -> None:
    slots = [
        (9, 0, 9, 30, "Accueil des participants", "", "Hall"),
        (9, 30, 10, 0, "Ouverture : le CRIG, quésaco ?", "Les quatre signataires", ""),
        (10, 0, 11, 0, "Le plan d'actions du CRIG", "Secrétariat du CRIG (OPenIG)", ""),
        (11, 15, 12, 30, "Référentiels : LIDAR HD, PCRS, OCS GE", "IGN, Région", ""),
        (14, 0, 15, 30, "Ateliers : besoins des territoires", "", "Salles 1 à 3"),
        (15, 45, 16, 45, "Restitution et suite", "Animateurs des ateliers", ""),
        (16, 45, 17, 0, "Clôture", "Région Occitanie", ""),
    ]
    Session.objects.bulk_create(
        Session(
            event=event,
            starts_at=_at(day, h1, m1),
            ends_at=_at(day, h2, m2),
            title=title,
            speakers=speakers,
            room=room or f"Hémicycle, {city}",
        )
        for h1, m1, h2, m2, title, speakers, room in slots
    )


def _create_day(
    year: int,
    day: datetime.date,
    place: dict,
    capacity: int | None,
    *,
    opens: datetime.datetime,
    closes: datetime.datetime,
) -> Event:
    city = place["place_name"].split(", ")[-1]
    event = Event.objects.create(
        title=f"Journée du CRIG Occitanie {year}",
        slug=f"journee-du-crig-{year}",
        kind=Event.Kind.ANNUAL_DAY,
        description=(
            f"La journée annuelle du CRIG Occitanie, à {city} : le CRIG et ses "
            "actions, les référentiels géographiques partagés, les besoins des "
            "territoires. Ouverte à toutes et tous, gratuite, sur inscription."
        ),
        starts_at=_at(day, 9),
        ends_at=_at(day, 17),
        capacity=capacity,
        registration_opens_at=opens,
        registration_closes_at=closes,
        state=Event.State.PUBLISHED,
        **place,
    )
    _programme(event, day, city)
    return event


def _past_day(
    spec: DemoDay, plan: Plan, secretariat: User, directory, rng: random.Random
) -> Event | None:
    if Event.objects.filter(slug=f"journee-du-crig-{spec.year}").exists():
        return None
    event = _create_day(
        spec.year,
        spec.day,
        spec.place,
        spec.capacity,
        opens=_at(spec.day - datetime.timedelta(days=60), 9),
        closes=_at(spec.day - datetime.timedelta(days=3), 23, 59),
    )
    final = plan.confirmed[spec.year]
    cancelled = plan.cancelled.get(spec.year, [])
    waiting = plan.still_waiting.get(spec.year, [])
    declared = plan.declared.get(spec.year, set())
    # Fill the places first (cancellers among them); the last of the confirmed
    # arrive when the day is full and are promoted when the others cancel.
    promoted = final[len(final) - len(cancelled) :] if waiting else []
    first = final[: len(final) - len(promoted)]
    order = [*first[: len(first) // 2], *cancelled, *first[len(first) // 2 :]]
    order += [*promoted, *waiting]
    registrations = {}
    for index, person in enumerate(order):
        registrations[person.email] = services.registration_create(
            event=event,
            data=_data(
                person,
                index=index,
                declared=person.email in declared,
                directory=directory,
            ),
            notify=False,
            past=True,
        )
    for person in cancelled:
        services.registration_cancel_by_staff(
            actor=secretariat, registration=registrations[person.email]
        )
    present_count = (
        PRESENT_2024 if spec.year == 2024 else round(spec.present_share * len(final))
    )
    for person in rng.sample(final, present_count):
        services.registration_check_in(
            actor=secretariat,
            registration=registrations[person.email],
            at=_at(spec.day, 8, 30) + datetime.timedelta(minutes=rng.randrange(0, 90)),
        )
    return event


def _upcoming_day(plan: Plan, directory) -> Event | None:
    """The next annual day, about three months ahead, open for registration."""
    day = timezone.localdate() + datetime.timedelta(days=91)
    while day.weekday() != 1:  # a Tuesday, like the others
        day += datetime.timedelta(days=1)
    if Event.objects.filter(
        kind=Event.Kind.ANNUAL_DAY, starts_at__gt=timezone.now()
    ).exists():
        return None
    if Event.objects.filter(slug=f"journee-du-crig-{day.year}").exists():
        return None
    event = _create_day(
        day.year,
        day,
        MONTPELLIER,
        180,
        opens=timezone.now() - datetime.timedelta(days=14),
        closes=_at(day - datetime.timedelta(days=3), 23, 59),
    )
    # A couple of dozen early registrants, most of them regulars.
    early = plan.confirmed[2024][:24]
    for index, person in enumerate(early):
        services.registration_create(
            event=event,
            data=_data(person, index=index, declared=True, directory=directory),
            notify=False,
        )
    return event


# --- Meetings ---------------------------------------------------------------


def _first(queryset):
    return queryset.order_by("pk").first()


def _links() -> dict:
    """Objects of the other demos the agendas point to (None when absent)."""
    from crig.actionplan.models import Action
    from crig.funding.models import FundingRequest, Opinion
    from crig.needs.models import Need, Round

    actions_2024 = Action.objects.filter(plan__year=2024)
    opinion = _first(Opinion.objects.filter(published_at__isnull=False))
    return {
        "plan_action": _first(actions_2024),
        "day_action": _first(actions_2024.filter(title__icontains="journée"))
        or _first(actions_2024),
        "lidar_action": _first(actions_2024.filter(title__icontains="lidar")),
        "twin_action": _first(actions_2024.filter(title__icontains="jumeau"))
        or _first(actions_2024.order_by("-pk")),
        "round": _first(Round.objects.filter(year=2024)) or _first(Round.objects),
        "need": _first(Need.objects.exclude(state__in=["draft", "merged"])),
        # The request whose opinion the June meeting adopts, and one still under
        # review for the confidential item of October.
        "opinion": opinion,
        "request": opinion.request
        if opinion
        else _first(FundingRequest.objects.exclude(state="draft")),
        "pending_request": _first(
            FundingRequest.objects.filter(state__in=["admissible", "under_review"])
        ),
    }


@dataclass(frozen=True)
class DemoItem:
    title: str
    kind: str
    link: str = ""  # key of _links()
    description: str = ""
    confidential: bool = False
    decision: str = ""
    decision_kind: str = Decision.Kind.OTHER
    decision_link: str = ""  # key of _links(): an opinion or an action


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    starts_at: datetime.datetime
    place: str
    video_url: str
    signatories_present: int
    members: int
    items: list[DemoItem]
    minutes: str
    published: bool = True


def _meetings_2024() -> list[DemoMeeting]:
    return [
        DemoMeeting(
            title="Comité du CRIG — mars 2024",
            starts_at=_at(datetime.date(2024, 3, 12), 14),
            place="Préfecture de la région Occitanie, Toulouse",
            video_url="",
            signatories_present=4,
            members=3,
            items=[
                DemoItem(
                    "Adoption du plan d'actions 2024",
                    Kind.ACTION,
                    link="plan_action",
                    description="Quinze actions : organisation, référentiels, "
                    "thématiques transversales et particulières.",
                    decision="Le comité adopte le plan d'actions 2024 (15 actions).",
                    decision_kind=Decision.Kind.ACTION,
                    decision_link="plan_action",
                ),
                DemoItem(
                    "Recueil des besoins : lancement du tour de priorisation 2024",
                    Kind.ROUND,
                    link="round",
                    decision="Le tour de priorisation 2024 est ouvert aux membres.",
                    decision_kind=Decision.Kind.ROUND,
                ),
                DemoItem(
                    "Organisation de la journée du CRIG 2024 à Toulouse",
                    Kind.ACTION,
                    link="day_action",
                ),
            ],
            minutes=(
                "Les quatre signataires sont présents : le quorum est atteint.\n\n"
                "1. Le plan d'actions 2024 est présenté par le secrétariat et adopté "
                "à l'unanimité.\n\n2. Le tour de priorisation des besoins 2024 est "
                "lancé ; les membres ont jusqu'à fin mai pour voter.\n\n3. La journée "
                "du CRIG 2024 aura lieu en novembre à l'Hôtel de Région de Toulouse."
            ),
        ),
        DemoMeeting(
            title="Comité du CRIG — juin 2024",
            starts_at=_at(datetime.date(2024, 6, 18), 14),
            place="Hôtel de Région, Montpellier",
            video_url="https://visio.demo.crig.example/comite-juin-2024",
            signatories_present=3,
            members=4,
            items=[
                DemoItem(
                    "Résultats du tour de priorisation des besoins",
                    Kind.ROUND,
                    link="round",
                    decision="Le comité adopte la priorisation des besoins 2024.",
                    decision_kind=Decision.Kind.ROUND,
                ),
                DemoItem(
                    "Besoin exprimé par les membres : présentation",
                    Kind.NEED,
                    link="need",
                ),
                DemoItem(
                    "Avis sur une demande de financement",
                    Kind.FUNDING,
                    link="request",
                    decision="Le comité adopte l'avis sur la demande de financement.",
                    decision_kind=Decision.Kind.OPINION,
                    decision_link="opinion",
                ),
            ],
            minutes=(
                "Trois signataires sur quatre sont présents : le quorum est "
                "atteint.\n\n"
                "1. Les résultats du tour de priorisation sont présentés ; la "
                "priorisation est adoptée.\n\n2. Un besoin exprimé par les membres est "
                "présenté par son porteur.\n\n3. L'avis sur la demande de financement "
                "inscrite à l'ordre du jour est adopté ; il est publié au registre "
                "des avis."
            ),
        ),
        DemoMeeting(
            title="Comité du CRIG — octobre 2024",
            starts_at=_at(datetime.date(2024, 10, 8), 10),
            place="IGN Occitanie, Toulouse",
            video_url="https://visio.demo.crig.example/comite-octobre-2024",
            signatories_present=4,
            members=2,
            items=[
                DemoItem(
                    "Programme de la journée du CRIG du 19 novembre",
                    Kind.ACTION,
                    link="day_action",
                ),
                DemoItem(
                    "LIDAR HD : avancement des acquisitions en Occitanie",
                    Kind.ACTION,
                    link="lidar_action",
                ),
                DemoItem(
                    "Création d'une action « jumeau numérique du territoire »",
                    Kind.ACTION,
                    link="twin_action",
                    decision="Le comité crée l'action « jumeau numérique » et en "
                    "confie le pilotage au groupe de travail.",
                    decision_kind=Decision.Kind.ACTION,
                    decision_link="twin_action",
                ),
                DemoItem(
                    "Demande de financement en cours d'instruction",
                    Kind.FUNDING,
                    link="pending_request",
                    description="Échange préalable sur une demande dont l'avis "
                    "n'est pas encore rendu.",
                    confidential=True,
                    decision="Le comité demande des précisions au porteur avant "
                    "de rendre son avis.",
                ),
            ],
            minutes=(
                "Les quatre signataires sont présents : le quorum est atteint.\n\n"
                "1. Le programme de la journée du 19 novembre est arrêté.\n\n"
                "2. Point d'avancement LIDAR HD.\n\n3. L'action « jumeau numérique "
                "du territoire » est créée.\n\n4. Point confidentiel (demande de "
                "financement en cours d'instruction)."
            ),
        ),
    ]


def _next_meeting() -> DemoMeeting:
    day = timezone.localdate() + datetime.timedelta(days=45)
    while day.weekday() != 1:
        day += datetime.timedelta(days=1)
    months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre",
    ]  # fmt: skip
    return DemoMeeting(
        title=f"Comité du CRIG — {months[day.month - 1]} {day.year}",
        starts_at=_at(day, 14),
        place="Préfecture de la région Occitanie, Toulouse",
        video_url="https://visio.demo.crig.example/prochain-comite",
        signatories_present=0,
        members=0,
        items=[
            DemoItem("Bilan de la journée du CRIG", Kind.OTHER),
            DemoItem("Préparation du plan d'actions", Kind.ACTION, link="plan_action"),
            DemoItem("Lancement du recueil des besoins", Kind.ROUND, link="round"),
        ],
        minutes="",
        published=False,
    )


def _create_meeting(spec: DemoMeeting, links: dict, secretariat: User) -> bool:
    if Meeting.objects.filter(title=spec.title, starts_at=spec.starts_at).exists():
        return False
    meeting = Meeting.objects.create(
        title=spec.title,
        starts_at=spec.starts_at,
        ends_at=spec.starts_at + datetime.timedelta(hours=3),
        place=spec.place,
        video_url=spec.video_url,
        minutes=spec.minutes,
        state="draft",
    )
    link_fields = {
        Kind.ACTION: "action",
        Kind.FUNDING: "funding_request",
        Kind.NEED: "need",
        Kind.ROUND: "round",
    }
    for position, item in enumerate(spec.items, start=1):
        target = links.get(item.link) if item.link else None
        agenda_item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=item.title,
            description=item.description,
            kind=item.kind,
            confidential=item.confidential,
            **({link_fields[item.kind]: target} if target is not None else {}),
        )
        if item.decision:
            linked = links.get(item.decision_link) if item.decision_link else None
            Decision.objects.create(
                meeting=meeting,
                agenda_item=agenda_item,
                kind=item.decision_kind,
                text=item.decision,
                confidential=item.confidential,
                opinion=linked if item.decision_kind == Decision.Kind.OPINION else None,
                action=linked if item.decision_kind == Decision.Kind.ACTION else None,
            )
    signatories = [
        s.organisation
        for s in Signatory.objects.select_related("organisation").order_by("position")
    ]
    for index, organisation in enumerate(signatories):
        Attendance.objects.create(
            meeting=meeting,
            organisation=organisation,
            representatives="Représentant·e désigné·e",
            present=index < spec.signatories_present,
        )
    members = Organisation.objects.filter(
        signatory__isnull=True, is_openig_member=True
    ).order_by("name")[: spec.members]
    for organisation in members:
        Attendance.objects.create(meeting=meeting, organisation=organisation)
    if spec.published:
        services.meeting_publish(actor=secretariat, meeting=meeting)
        Meeting.objects.filter(pk=meeting.pk).update(
            published_at=spec.starts_at + datetime.timedelta(days=10)
        )
    return True


def load_demo(*, stdout) -> None:
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    plan = build_plan()
    directory = _directory()
    rng = random.Random(2020)  # noqa: S311 - reproducible demo data, no secret
    created = [
        event
        for spec in PAST_DAYS
        if (event := _past_day(spec, plan, secretariat, directory, rng)) is not None
    ]
    upcoming = _upcoming_day(plan, directory)
    stdout.write(
        f"  {len(created)} past annual days with "
        f"{Registration.objects.filter(event__in=created).count()} registrations"
        + (f"; the next one, {upcoming.title}, open" if upcoming else "")
    )
    links = _links()
    meetings = sum(
        _create_meeting(spec, links, secretariat)
        for spec in [*_meetings_2024(), _next_meeting()]
    )
    stdout.write(f"  {meetings} council meetings (3 in 2024, the next in draft)")
