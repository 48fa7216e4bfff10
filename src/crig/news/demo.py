"""News demo: a year of the council's news, CNIG relay items, subscriptions for
the demo accounts, and a weekly digest ready to preview.

Runs last in ``crig demo`` (after the catalogue, needs, funding, action plan and
events demos, whose objects the items link to when they exist). Items are
written and published through the services, then dated: a service publishes
*now* (backdating would slip an item under digests already sent), so the demo
sets the publication dates of its own items afterwards, relative to today.

**The "Done when" digest.** The member account (membre@demo.crig.example)
follows PCRS on Haute-Garonne, weekly (news, datasets, needs, opinions and plan
updates; not meetings and events). Its digest of the last seven days holds
exactly:

- the CNIG relay item "Standard PCRS v2.0 : consultation", published three days
  ago (national: no territory, so it passes the territorial filter);
- a new PCRS dataset on the Muretain agglomeration (Haute-Garonne), entered
  through the catalogue's editing service; its dates are set here to two days
  ago (first seen, and published), since a record entered now would fall after
  the end of the digest's period (the current hour) and the catalogue demo's
  generated records carry no publication date, so none of them is "new".

The only other item of the last week is an orthophotography item on Hérault,
which that subscription leaves out (theme and territory). Subscriptions are
dated a year back, so their first digest covers the full week.

Safe to run twice: items are found by title, the dataset by its title, and
dates are set again relative to today.
"""

import datetime
from dataclasses import dataclass, field

import shapely
from django.utils import timezone

from crig.members.models import Signatory, User
from crig.news import services
from crig.news.models import NewsItem, Subscription
from crig.news.services import NewsData
from crig.territory.selection import territory_selection

SECRETARIAT = "secretariat@demo.crig.example"
MEMBER = "membre@demo.crig.example"
REFERENT = "referent@demo.crig.example"
REVIEWER = "relecteur@demo.crig.example"
ADMIN = "admin@demo.crig.example"

PCRS_DATASET_TITLE = "[Démo] PCRS image 5 cm — Le Muretain Agglo (livraison 2026)"
MURET = "31395"
CNIG = "https://cnig.gouv.fr/"


@dataclass
class DemoItem:
    title: str
    days_ago: int | None  # None: not published (draft or review); < 0: scheduled
    body: str
    summary: str = ""
    themes: list[str] = field(default_factory=list)
    kind: str = "news"
    audience: str = "public"
    community: bool = False  # for Région Occitanie's community
    standard: str = ""
    deadline_in_days: int | None = None
    departements: list[str] = field(default_factory=list)
    state: str = "published"
    links: dict = field(default_factory=dict)  # "datasets": callable → ids…


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


ITEMS = [
    DemoItem(
        "Standard PCRS v2.0 : consultation",
        3,
        _p(
            "Le CNIG ouvre la consultation publique sur la version 2.0 du standard "
            "<strong>Plan corps de rue simplifié (PCRS)</strong> : modèle de "
            "données vecteur révisé, précision de classe A et livraison image.",
            "Les gestionnaires de réseaux et les collectivités d'Occitanie sont "
            "invités à répondre ; le CRIG rassemblera une contribution régionale.",
        )
        + '<p><a href="https://cnig.gouv.fr/">Le dossier de consultation sur le '
        "site du CNIG</a></p>",
        summary="Consultation nationale sur la révision du standard PCRS.",
        themes=["pcrs"],
        kind="cnig",
        standard="PCRS v2.0",
        deadline_in_days=25,
        links={"datasets": "pcrs"},
    ),
    DemoItem(
        "Nouvelle orthophotographie de l'Hérault",
        2,
        _p(
            "La prise de vue aérienne 2026 de l'Hérault est livrée : 20 cm de "
            "résolution, consultable dans le catalogue."
        ),
        themes=["orthophotographie"],
        departements=["34"],
    ),
    DemoItem(
        "Géostandard Adresse : guide de mise en œuvre",
        20,
        _p(
            "Le CNIG publie le guide de mise en œuvre du géostandard Base Adresse "
            "Locale, avec des exemples pour les petites communes."
        ),
        themes=["adresses"],
        kind="cnig",
        standard="Base Adresse Locale 1.4",
    ),
    DemoItem(
        "Comité technique : compte rendu",
        12,
        _p(
            "Le compte rendu du comité technique est en ligne pour les membres : "
            "avancement du LIDAR HD, mutualisation du PCRS, besoins 2027."
        ),
        audience="members",
        themes=["lidar", "pcrs"],
        departements=["34"],
    ),
    DemoItem(
        "Appel à relais : ateliers régionaux de la donnée",
        16,
        _p(
            "La Région Occitanie organise des ateliers pour ses partenaires : "
            "relayez l'invitation auprès de votre réseau."
        ),
        audience="community",
        community=True,
        themes=["autre"],
    ),
    DemoItem(
        "LIDAR HD : toute la région couverte",
        35,
        _p(
            "Les nuages de points LIDAR HD de l'IGN couvrent désormais toute "
            "l'Occitanie ; les modèles numériques de terrain suivent."
        ),
        themes=["lidar"],
        links={"datasets": "lidar"},
    ),
    DemoItem(
        "Consultation CNIG : standard d'occupation du sol à grande échelle",
        48,
        _p(
            "Le CNIG consulte sur la nomenclature de l'OCS GE ; la contribution du "
            "CRIG est préparée par le groupe de travail occupation du sol."
        ),
        themes=["occupation_du_sol"],
        kind="cnig",
        standard="OCS GE v2",
        deadline_in_days=-20,
    ),
    DemoItem(
        "Rencontres régionales de l'information géographique",
        60,
        _p(
            "Les inscriptions aux rencontres annuelles du CRIG sont ouvertes : "
            "ateliers, retours d'expérience et assemblée plénière."
        ),
        links={"events": "any"},
    ),
    DemoItem(
        "Besoins exprimés : la campagne 2026 est ouverte",
        75,
        _p(
            "Exprimez les besoins de votre organisme en données de référence ; "
            "ils nourriront la priorisation du prochain plan d'action."
        ),
        themes=["orthophotographie", "lidar", "pcrs"],
        links={"needs": "any"},
    ),
    DemoItem(
        "Avis du CRIG sur une demande de cofinancement",
        90,
        _p(
            "Le CRIG a rendu un avis sur une demande de cofinancement ; il est "
            "publié au registre des avis."
        ),
        links={"opinions": "any"},
    ),
    DemoItem(
        "PCRS : guide de contrôle qualité des livraisons",
        105,
        _p(
            "Le CNIG publie un guide pour contrôler la qualité des livraisons PCRS "
            "image et vecteur."
        ),
        themes=["pcrs"],
        kind="cnig",
        standard="PCRS v1.2",
    ),
    DemoItem(
        "Plan d'action 2026 : les actions retenues",
        120,
        _p(
            "Le comité de pilotage a retenu les actions du plan 2026 ; les "
            "référentiels restent la priorité."
        ),
        links={"actions": "any"},
    ),
    DemoItem(
        "Adresses : 300 communes de plus dans la Base Adresse Nationale",
        140,
        _p("Les communes accompagnées par le CRIG publient leur Base Adresse Locale."),
        themes=["adresses"],
    ),
    DemoItem(
        "Note aux membres : cotisations et convention",
        155,
        _p("Rappel du calendrier de renouvellement de la convention du CRIG."),
        audience="members",
    ),
    DemoItem(
        "Bâtiments recevant du public : la base régionale ERP",
        170,
        _p("La base régionale des établissements recevant du public est mise à jour."),
        themes=["erp"],
    ),
    DemoItem(
        "Relais INSPIRE : rapport de mise en œuvre",
        190,
        _p("Le CNIG relaie le rapport triennal de mise en œuvre de la directive."),
        kind="cnig",
        standard="Rapport INSPIRE 2025",
    ),
    DemoItem(
        "Orthophotographie : le calendrier des prises de vue",
        210,
        _p("L'IGN publie le calendrier des prises de vue aériennes pour la région."),
        themes=["orthophotographie"],
    ),
    DemoItem(
        "Région Occitanie : appel à projets données",
        230,
        _p("Appel à projets pour les partenaires de la Région."),
        audience="community",
        community=True,
    ),
    DemoItem(
        "PCRS : cahier des charges régional",
        250,
        _p("Le cahier des charges régional du PCRS est publié."),
        themes=["pcrs"],
        departements=["31"],
    ),
    DemoItem(
        "Hydrographie : la BD TOPAGE se déploie",
        280,
        _p("Le référentiel hydrographique BD TOPAGE remplace la BD Carthage."),
        themes=["hydrographie"],
    ),
    DemoItem(
        "Standard CNIG : réseaux enterrés",
        310,
        _p("Le CNIG relaie le standard d'échange des réseaux enterrés."),
        themes=["reseaux"],
        kind="cnig",
        standard="StaR-DT",
    ),
    DemoItem(
        "Bienvenue sur la plateforme du CRIG",
        350,
        _p("Le CRIG Occitanie ouvre sa plateforme d'échange."),
    ),
    # The editorial queue: scheduled, in review, draft.
    DemoItem(
        "Journée LIDAR : programme",
        -5,
        _p("Le programme de la journée LIDAR sera publié dans cinq jours."),
        themes=["lidar"],
    ),
    DemoItem(
        "Mobilité : données de transport en commun",
        None,
        _p("Brouillon en relecture."),
        themes=["mobilite"],
        state="review",
    ),
    DemoItem(
        "Environnement : premiers chiffres de l'occupation du sol",
        None,
        _p("Brouillon."),
        themes=["environnement"],
        state="draft",
    ),
]


def _link_ids(kind: str, wanted: str, pcrs_dataset) -> list[int]:
    """Ids of other demos' objects to link, when those demos loaded them."""
    if kind == "datasets":
        if wanted == "pcrs" and pcrs_dataset is not None:
            return [pcrs_dataset.pk]
        from crig.catalog.models import Dataset

        return list(
            Dataset.objects.filter(referentiel=wanted, visibility="public")
            .order_by("pk")
            .values_list("pk", flat=True)[:1]
        )
    if kind == "needs":
        from crig.needs.models import Need

        return list(
            Need.objects.exclude(state__in=["draft", "merged"])
            .order_by("pk")
            .values_list("pk", flat=True)[:2]
        )
    if kind == "opinions":
        from crig.funding.selectors.register import register_list

        return list(register_list().order_by("pk").values_list("pk", flat=True)[:1])
    if kind == "actions":
        from crig.actionplan.models import Action

        return list(
            Action.objects.filter(plan__state="published")
            .order_by("-plan__year", "number")
            .values_list("pk", flat=True)[:2]
        )
    if kind == "events":
        from crig.events.models import Event

        return list(
            Event.objects.filter(state="published")
            .order_by("starts_at")
            .values_list("pk", flat=True)[:1]
        )
    return []


def _pcrs_dataset(secretariat, now):
    """The new PCRS dataset on Haute-Garonne (see the module docstring)."""
    from crig.catalog.models import Dataset
    from crig.catalog.services.coverage import coverage_compute
    from crig.catalog.services.editing import ManualRecord, dataset_create_manual
    from crig.territory.models import Commune

    commune = Commune.objects.select_related("epci").filter(insee=MURET).first()
    if commune is None or commune.epci is None:
        return None
    dataset = Dataset.objects.filter(title=PCRS_DATASET_TITLE).first()
    two_days_ago = now - datetime.timedelta(days=2)
    if dataset is None:
        dataset = dataset_create_manual(
            by=secretariat,
            record=ManualRecord(
                fields={
                    "title": PCRS_DATASET_TITLE,
                    "abstract": (
                        f"Plan corps de rue simplifié (PCRS) image à 5 cm de "
                        f"{commune.epci.name}, conforme au standard CNIG PCRS. "
                        "Enregistrement de démonstration : il ne décrit aucune "
                        "donnée réelle."
                    ),
                    "producer_name": commune.epci.name,
                    "referentiel": "pcrs",
                    "published_on": timezone.localdate(two_days_ago),
                    "resolution_m": 0.05,
                    "licence": "Licence Ouverte 2.0",
                },
                keywords=["PCRS", "Voirie"],
                footprint=shapely.from_geojson(commune.epci.outline),
            ),
        )
    if dataset.coverage_computed_at is None:
        coverage_compute(dataset_ids=[dataset.pk])
    # Demo dates (see the module docstring); no service changes when a record
    # was first seen.
    Dataset.objects.filter(pk=dataset.pk).update(
        first_seen_at=two_days_ago,
        published_on=timezone.localdate(two_days_ago),
        is_demo=True,
    )
    dataset.refresh_from_db()
    return dataset


def _territory(departements: list[str]):
    return territory_selection(departements=departements) if departements else None


def _ensure_item(spec: DemoItem, *, now, secretariat, editor, signatory, pcrs):
    author = editor if spec.community and editor is not None else secretariat
    data = NewsData(
        title=spec.title,
        body=spec.body,
        kind=spec.kind,
        summary=spec.summary,
        audience=spec.audience,
        community_id=signatory.pk if spec.community and signatory else None,
        themes=spec.themes,
        source_url=CNIG if spec.kind == "cnig" else "",
        source_name="CNIG" if spec.kind == "cnig" else "",
        standard=spec.standard,
        deadline=(
            timezone.localdate(now) + datetime.timedelta(days=spec.deadline_in_days)
            if spec.deadline_in_days is not None
            else None
        ),
        **{
            f"{kind[:-1]}_ids": _link_ids(kind, wanted, pcrs)
            for kind, wanted in spec.links.items()
        },
    )
    item = NewsItem.objects.filter(title=spec.title).first()
    territory = _territory(spec.departements)
    if item is None:
        item = services.news_create(author=author, data=data, territory=territory)
    else:
        item = services.news_update(
            actor=secretariat, item=item, data=data, territory=territory
        )
    if spec.state == "review" and item.state == NewsItem.State.DRAFT:
        services.news_submit_for_review(actor=author, item=item)
    if spec.days_ago is None:
        return item
    if item.state != NewsItem.State.PUBLISHED:
        item = services.news_publish(actor=secretariat, item=item)
    # Demo dates: published (or scheduled) relative to today.
    NewsItem.objects.filter(pk=item.pk).update(
        publish_at=now - datetime.timedelta(days=spec.days_ago)
    )
    return item


def _ensure_subscriptions(now) -> int:
    people = {user.email: user for user in User.objects.filter(email__in=[
        MEMBER, REFERENT, REVIEWER, SECRETARIAT
    ])}  # fmt: skip
    count = 0
    if MEMBER in people:
        services.subscription_update(
            person=people[MEMBER],
            themes=["pcrs"],
            topics=["news", "datasets", "needs", "opinions", "plan"],
            frequency="weekly",
            use_organisation_perimeter=False,
            territory=territory_selection(departements=["31"]),
        )
        count += 1
    if REFERENT in people:
        services.subscription_update(
            person=people[REFERENT],
            themes=[],
            topics=list(Subscription.Topic.values),
            frequency="daily",
        )
        count += 1
    if REVIEWER in people:
        services.subscription_update(
            person=people[REVIEWER],
            themes=["orthophotographie", "lidar"],
            topics=["news", "datasets", "events"],
            frequency="weekly",
        )
        count += 1
    if SECRETARIAT in people:
        services.subscription_update(
            person=people[SECRETARIAT],
            themes=[],
            topics=list(Subscription.Topic.values),
            frequency="weekly",
        )
        count += 1
    # Subscribed a year ago: the first digest covers a full period.
    Subscription.objects.filter(person__email__in=list(people)).update(
        created_at=now - datetime.timedelta(days=365)
    )
    return count


def load_demo(*, stdout) -> None:
    """Load the news demo (see the module docstring)."""
    now = timezone.now()
    secretariat = User.objects.filter(email=SECRETARIAT).first()
    if secretariat is None:
        stdout.write("  news: no secretariat account, skipped")
        return
    signatory = Signatory.objects.filter(organisation__name="Région Occitanie").first()
    editor = User.objects.filter(email=REVIEWER).first()
    pcrs = _pcrs_dataset(secretariat, now)
    for spec in ITEMS:
        _ensure_item(
            spec,
            now=now,
            secretariat=secretariat,
            editor=editor,
            signatory=signatory,
            pcrs=pcrs,
        )
    count = _ensure_subscriptions(now)
    stdout.write(
        f"  {len(ITEMS)} news items over a year (CNIG relays, members-only and "
        f"community items, a scheduled one, the editorial queue), "
        f"{count} subscriptions; preview a digest: crig news preview --person "
        f"{MEMBER} --frequency weekly"
    )
