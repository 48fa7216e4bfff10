"""Confidential objects are absent, per role, from every surface that lists, searches,
maps, counts, feeds or exports them.

What is confidential, and who may see it (from each app's ``rules.py``, selectors
and ``docs/architecture/*.md``):

- **Catalogue** — a *restricted* record (``visibility``): the secretariat,
  administrators, its author and the members of its producer organisation
  (``catalog.view_dataset``, ``selectors.visibility``). Withdrawn records are not
  secret (their page stays), only left out of searches.
- **Needs** — a *draft* need: its author only, not even the secretariat or the
  organisation's referent (``needs.view_need``), and administrators, who as
  superusers pass every rule here as everywhere (so they are entitled to every
  marker below). Once submitted, a need is public.
- **Funding requests** — the whole file until the opinion is published: the
  applicant's members, whoever entered it, the reviewers seated on it who declared
  no conflict, the secretariat and administrators (``rules.can_see_file``); a
  recused reviewer sees no more than the public. An *issued but unpublished*
  opinion goes with its file. The *signatories' comments* on their positions:
  the secretariat, administrators and cleared reviewers only (never the
  applicant). A reviewer's *declaration of interests*: the secretariat,
  administrators and the reviewer. After publication the register shows the
  title, public summary, territory, amount and opinion; the description,
  deliverables, budget lines, co-funders, comments stay confidential for good
  (the secretariat, administrators and the applicant's members).
- **Action plan** — a *draft plan* and its actions: the secretariat,
  administrators and the signatories' people (their organisations' members and
  reviewers) (``actionplan.view_plan``).
- **Meetings** — a *draft meeting* (agenda, place, minutes), a *confidential
  agenda item* of a published meeting and the *decisions* on it: the council
  (secretariat, administrators, signatories' people)
  (``events.view_meeting``, ``events.view_meeting_confidential``).
- **Events** — a *draft event*: the secretariat and administrators
  (``events.view_event``). *Registrants' personal data* (name unless they
  consented to the participants list, e-mail, organisation typed, accessibility
  and dietary needs): the secretariat and administrators
  (``events.view_registrations``, ``events.export_registrations``).
- **News** — *drafts, items in review and scheduled items*: their author, the
  secretariat, administrators and the editors (signatories' people), except what
  another signatory prepares for its own community; *members-only* items: people
  belonging to an organisation; *a signatory's community* items: that
  signatory's organisation's people and reviewers (``news.view_item``). Never in
  public pages or Atom feeds.
- **Members** — *who belongs to an organisation and their e-mails*: its members,
  the secretariat and administrators (``members.view_membership_list``); *API
  tokens*: their owner (and administrators, in the admin); a person's
  *subscription*: that person.

Each test runs the same ``World`` (``confidential_world``): a marker word in every
text field of each confidential object, with the roles allowed to read it, and a
public sibling per kind whose marker must appear, so that a broken or empty
surface cannot pass. Bodies are decoded before the search: XLSX with openpyxl, PDF
with pypdfium2, the rest as text.
"""

import io
import json
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone
from lxml import etree

from crig.actionplan.models import Plan
from crig.catalog.models import Dataset
from crig.core.opendata import opendata_export
from crig.events.models import Event, Meeting
from crig.funding.models import FundingRequest, Opinion
from crig.needs.models import Need
from crig.news.models import NewsItem
from tests.security.confidential_world import SEARCH_WORD, World, build_world
from tests.security.roles import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    organisation,
    other_organisation,
    signatory,
    member_user,
    referent_user,
    cleared_reviewer_user,
    recused_reviewer_user,
    secretariat_user,
    admin_user,
    funding_request,
) -> World:
    return build_world(
        organisation=organisation,
        other_organisation=other_organisation,
        signatory=signatory,
        member_user=member_user,
        referent_user=referent_user,
        cleared_reviewer_user=cleared_reviewer_user,
        recused_reviewer_user=recused_reviewer_user,
        secretariat_user=secretariat_user,
        admin_user=admin_user,
        funding_request=funding_request,
    )


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def body_text(response) -> str:
    """The response as searchable text, whatever its format."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ).lower()
    if "pdf" in content_type:
        import pypdfium2

        document = pypdfium2.PdfDocument(content)
        return "\n".join(
            page.get_textpage().get_text_range() for page in document
        ).lower()
    return content.decode("utf-8", errors="replace").lower()


# --- Surfaces -------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    url: object  # World -> str
    #: Kinds (World.public keys) whose public marker must show, for every role.
    shows: tuple = ()
    #: Markers the URL itself carries, which an error page may echo back.
    echoes: tuple = ()


CSW = "/csw?service=CSW&version=2.0.2&"
OGC_ITEMS = "/ogcapi/collections/catalog/items"


def _obj(name, attribute="pk"):
    return lambda w: getattr(w.objects[name], attribute)


def _cql(text):
    return (
        CSW + "request=GetRecords&typeNames=csw:Record&elementSetName=full"
        f"&resultType=results&constraintLanguage=CQL_TEXT"
        f"&constraint=AnyText%20LIKE%20%27%25{text}%25%27"
    )


SURFACES = [
    # Home and general pages
    Surface("home", lambda w: "/"),
    Surface("about data", lambda w: "/donnees-et-licences/"),
    # Catalogue: pages, API, maps, standards
    Surface("catalogue search", lambda w: "/catalogue/", ("dataset",)),
    Surface(
        "catalogue search q", lambda w: f"/catalogue/?q={SEARCH_WORD}", ("dataset",)
    ),
    Surface(
        "catalogue public record",
        lambda w: f"/catalogue/jeux-de-donnees/{w.objects['public_dataset'].pk}/",
        ("dataset",),
    ),
    Surface(
        "catalogue restricted record",
        lambda w: f"/catalogue/jeux-de-donnees/{w.objects['restricted_dataset'].pk}/",
    ),
    Surface("coverage index", lambda w: "/catalogue/couverture/"),
    Surface(
        "coverage orthophoto", lambda w: "/catalogue/couverture/orthophotographie/"
    ),
    Surface("api datasets", lambda w: "/api/v1/datasets", ("dataset",)),
    Surface(
        "api datasets q", lambda w: f"/api/v1/datasets?q={SEARCH_WORD}", ("dataset",)
    ),
    Surface(
        "api datasets geojson",
        lambda w: "/api/v1/datasets?format=geojson",
        ("dataset",),
    ),
    Surface(
        "api restricted dataset",
        lambda w: f"/api/v1/datasets/{w.objects['restricted_dataset'].pk}",
    ),
    Surface(
        "api restricted dataset communes",
        lambda w: f"/api/v1/datasets/{w.objects['restricted_dataset'].pk}/communes",
    ),
    Surface(
        "api commune coverage",
        lambda w: "/api/v1/communes/31555/coverage",
        ("dataset",),
    ),
    Surface(
        "api coverage geojson",
        lambda w: "/api/v1/coverage/orthophotographie?format=geojson",
    ),
    Surface(
        "api coverage csv", lambda w: "/api/v1/coverage/orthophotographie?format=csv"
    ),
    Surface(
        "csw getrecords full",
        lambda w: (
            CSW + "request=GetRecords&typeNames=csw:Record&elementSetName=full"
            "&resultType=results&maxRecords=100"
        ),
        ("dataset",),
    ),
    Surface(
        "csw getrecords iso",
        lambda w: (
            CSW + "request=GetRecords&typeNames=gmd:MD_Metadata"
            "&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full"
            "&resultType=results&maxRecords=100"
        ),
        ("dataset",),
    ),
    Surface("csw full text", lambda w: _cql(SEARCH_WORD), ("dataset",)),
    Surface(
        "csw getrecordbyid",
        lambda w: (
            CSW + "request=GetRecordById&elementSetName=full&id=zqconfdsid,zqpubdsid"
        ),
        ("dataset",),
    ),
    Surface("ogc items", lambda w: OGC_ITEMS + "?limit=1000", ("dataset",)),
    Surface("ogc items q", lambda w: f"{OGC_ITEMS}?q={SEARCH_WORD}", ("dataset",)),
    Surface(
        "ogc restricted item",
        lambda w: f"{OGC_ITEMS}/zqconfdsid",
        echoes=("zqconfdsid",),
    ),
    Surface("ogc collection", lambda w: "/ogcapi/collections/catalog"),
    Surface("dcat ttl", lambda w: "/catalog.ttl", ("dataset",)),
    Surface("dcat rdf", lambda w: "/catalog.rdf", ("dataset",)),
    Surface("dcat jsonld", lambda w: "/catalog.jsonld", ("dataset",)),
    # Needs
    Surface("needs list", lambda w: "/besoins/", ("need",)),
    Surface("needs list q", lambda w: f"/besoins/?q={SEARCH_WORD}", ("need",)),
    Surface("needs map", lambda w: "/besoins/carte/"),
    Surface("needs priorities", lambda w: "/besoins/priorites/"),
    Surface("needs rounds", lambda w: "/besoins/priorisation/"),
    Surface("draft need page", lambda w: f"/besoins/{w.objects['draft_need'].pk}/"),
    Surface("api needs", lambda w: "/api/v1/needs", ("need",)),
    Surface("api needs q", lambda w: f"/api/v1/needs?q={SEARCH_WORD}", ("need",)),
    Surface("api needs geojson", lambda w: "/api/v1/needs?format=geojson", ("need",)),
    Surface("api needs csv", lambda w: "/api/v1/needs?format=csv", ("need",)),
    Surface("api needs xlsx", lambda w: "/api/v1/needs?format=xlsx", ("need",)),
    Surface("api needs heatmap", lambda w: "/api/v1/needs/heatmap?format=geojson"),
    Surface("api needs scores", lambda w: "/api/v1/needs/scores", ("need",)),
    Surface("api draft need", lambda w: f"/api/v1/needs/{w.objects['draft_need'].pk}"),
    Surface(
        "api draft need geojson",
        lambda w: f"/api/v1/needs/{w.objects['draft_need'].pk}?format=geojson",
    ),
    # Funding
    Surface("funding list", lambda w: "/financements/"),
    Surface(
        "confidential request page",
        lambda w: f"/financements/{w.objects['confidential_request'].pk}/",
    ),
    Surface(
        "published request page",
        lambda w: f"/financements/{w.objects['published_request'].pk}/",
    ),
    Surface("register", lambda w: "/financements/avis/", ("funding",)),
    Surface(
        "register q", lambda w: f"/financements/avis/?q={SEARCH_WORD}", ("funding",)
    ),
    Surface(
        "published opinion page",
        lambda w: f"/financements/avis/{w.objects['published_opinion'].pk}/",
        ("funding", "opinion"),
    ),
    Surface(
        "unpublished opinion page",
        lambda w: f"/financements/avis/{w.objects['confidential_opinion'].pk}/",
    ),
    Surface("api requests", lambda w: "/api/v1/funding-requests"),
    Surface("api requests csv", lambda w: "/api/v1/funding-requests?format=csv"),
    Surface("api requests xlsx", lambda w: "/api/v1/funding-requests?format=xlsx"),
    Surface(
        "api confidential request",
        lambda w: f"/api/v1/funding-requests/{w.objects['confidential_request'].pk}",
    ),
    Surface(
        "api published request",
        lambda w: f"/api/v1/funding-requests/{w.objects['published_request'].pk}",
    ),
    Surface(
        "api confidential request geojson",
        lambda w: (
            f"/api/v1/funding-requests/{w.objects['confidential_request'].pk}"
            "?format=geojson"
        ),
    ),
    Surface("api opinions", lambda w: "/api/v1/opinions", ("funding", "opinion")),
    Surface(
        "api opinions q",
        lambda w: f"/api/v1/opinions?q={SEARCH_WORD}",
        ("funding", "opinion"),
    ),
    Surface("api opinions csv", lambda w: "/api/v1/opinions?format=csv", ("funding",)),
    Surface(
        "api opinions xlsx", lambda w: "/api/v1/opinions?format=xlsx", ("funding",)
    ),
    Surface(
        "api opinions geojson",
        lambda w: "/api/v1/opinions?format=geojson",
        ("funding",),
    ),
    Surface(
        "api published opinion",
        lambda w: f"/api/v1/opinions/{w.objects['published_opinion'].pk}",
        ("opinion",),
    ),
    Surface(
        "api unpublished opinion",
        lambda w: f"/api/v1/opinions/{w.objects['confidential_opinion'].pk}",
    ),
    # Action plan
    Surface("plans", lambda w: "/plan-d-actions/"),
    Surface("plan 2024", lambda w: "/plan-d-actions/2024/", ("action",)),
    Surface("plan 2024 csv", lambda w: "/plan-d-actions/2024/actions.csv", ("action",)),
    Surface(
        "plan 2024 xlsx", lambda w: "/plan-d-actions/2024/actions.xlsx", ("action",)
    ),
    Surface("plan 2024 report", lambda w: "/plan-d-actions/2024/rapport/", ("action",)),
    Surface("draft plan", lambda w: "/plan-d-actions/2031/"),
    Surface("draft plan csv", lambda w: "/plan-d-actions/2031/actions.csv"),
    Surface("draft plan xlsx", lambda w: "/plan-d-actions/2031/actions.xlsx"),
    Surface("draft plan report", lambda w: "/plan-d-actions/2031/rapport/"),
    Surface(
        "draft action",
        lambda w: f"/plan-d-actions/actions/{w.objects['draft_action'].pk}/",
    ),
    Surface("api plans", lambda w: "/api/v1/plans"),
    Surface("api plan 2024", lambda w: "/api/v1/plans/2024", ("action",)),
    Surface("api draft plan", lambda w: "/api/v1/plans/2031"),
    Surface(
        "api draft action",
        lambda w: f"/api/v1/actions/{w.objects['draft_action'].pk}",
    ),
    # Meetings and events
    Surface("meetings", lambda w: "/reunions/", ("meeting",)),
    Surface(
        "meeting page",
        lambda w: f"/reunions/{w.objects['meeting'].pk}/",
        ("meeting", "agenda"),
    ),
    Surface(
        "meeting ics",
        lambda w: f"/reunions/{w.objects['meeting'].pk}/calendrier.ics",
        ("meeting",),
    ),
    Surface("draft meeting", lambda w: f"/reunions/{w.objects['draft_meeting'].pk}/"),
    Surface(
        "draft meeting ics",
        lambda w: f"/reunions/{w.objects['draft_meeting'].pk}/calendrier.ics",
    ),
    Surface("events", lambda w: "/evenements/", ("event",)),
    Surface("event page", lambda w: "/evenements/journee-zqpubevent/", ("event",)),
    Surface("event ics", lambda w: "/evenements/journee-zqpubevent/calendrier.ics"),
    Surface("event stats", lambda w: "/evenements/journee-zqpubevent/statistiques/"),
    Surface(
        "event stats csv",
        lambda w: "/evenements/journee-zqpubevent/statistiques.csv",
    ),
    Surface(
        "event stats xlsx",
        lambda w: "/evenements/journee-zqpubevent/statistiques.xlsx",
    ),
    Surface("event check-in", lambda w: "/evenements/journee-zqpubevent/pointage/"),
    Surface(
        "event check-in list",
        lambda w: "/evenements/journee-zqpubevent/pointage/liste/",
    ),
    Surface(
        "event registrations csv",
        lambda w: "/evenements/journee-zqpubevent/inscriptions.csv",
    ),
    Surface(
        "event registrations xlsx",
        lambda w: "/evenements/journee-zqpubevent/inscriptions.xlsx",
    ),
    Surface("draft event", lambda w: "/evenements/journee-zqconfevent/"),
    Surface(
        "draft event ics", lambda w: "/evenements/journee-zqconfevent/calendrier.ics"
    ),
    Surface("calendar", lambda w: "/calendar.ics", ("meeting", "event")),
    Surface("api meetings", lambda w: "/api/v1/meetings", ("meeting",)),
    Surface(
        "api meeting",
        lambda w: f"/api/v1/meetings/{w.objects['meeting'].pk}",
        ("meeting", "agenda"),
    ),
    Surface(
        "api draft meeting",
        lambda w: f"/api/v1/meetings/{w.objects['draft_meeting'].pk}",
    ),
    Surface("api events", lambda w: "/api/v1/events", ("event",)),
    Surface(
        "api event", lambda w: f"/api/v1/events/{w.objects['event'].pk}", ("event",)
    ),
    Surface(
        "api event stats", lambda w: f"/api/v1/events/{w.objects['event'].pk}/stats"
    ),
    Surface(
        "api event registrations",
        lambda w: f"/api/v1/events/{w.objects['event'].pk}/registrations",
    ),
    Surface(
        "api draft event", lambda w: f"/api/v1/events/{w.objects['draft_event'].pk}"
    ),
    # News
    Surface("news", lambda w: "/actualites/", ("news",)),
    Surface("news q", lambda w: f"/actualites/?q={SEARCH_WORD}", ("news",)),
    Surface("news editorial", lambda w: "/actualites/redaction/"),
    Surface(
        "public news page",
        lambda w: f"/actualites/{w.objects['public_news'].pk}/",
        ("news",),
    ),
    Surface("news relay", lambda w: "/actualites/relais/"),
    Surface("digest preview", lambda w: "/actualites/resume/"),
    Surface("feed", lambda w: "/feeds/news.atom", ("news",)),
    Surface("feed theme", lambda w: "/feeds/theme/orthophotographie.atom"),
    Surface("feed territory", lambda w: "/feeds/territory/31.atom"),
    Surface("api news", lambda w: "/api/v1/news", ("news",)),
    Surface("api news q", lambda w: f"/api/v1/news?q={SEARCH_WORD}", ("news",)),
    # Members and accounts
    Surface("directory", lambda w: "/membres/"),
    Surface(
        "organisation page",
        lambda w: "/membres/conseil-departemental-de-la-haute-garonne/",
    ),
    Surface("api organisations", lambda w: "/api/v1/organisations"),
    Surface(
        "api organisation",
        lambda w: (
            f"/api/v1/organisations/{w.users['member'].memberships.get().organisation_id}"
        ),
    ),
    Surface("account", lambda w: "/mon-compte/"),
    Surface("account data", lambda w: "/mon-compte/mes-donnees/"),
    Surface("subscriptions", lambda w: "/mon-compte/abonnements/"),
    Surface("api me", lambda w: "/api/v1/me"),
    Surface("api my subscription", lambda w: "/api/v1/me/subscriptions"),
]


@pytest.mark.parametrize("role", ROLES)
def test_no_confidential_marker_reaches_a_role_not_allowed_to_see_it(world, role):
    client = client_for(world, role)
    hidden = world.markers_hidden_from(role)
    leaks, missing, errors = [], [], []
    for surface in SURFACES:
        url = surface.url(world)
        response = client.get(url)
        if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            errors.append(f"{surface.name} {url}: {response.status_code}")
            continue
        text = body_text(response)
        found = [
            marker
            for marker in hidden
            if marker in text and marker not in surface.echoes
        ]
        if found:
            leaks.append(f"{surface.name} {url}: {found}")
        for kind in surface.shows:
            if response.status_code != HTTPStatus.OK:
                missing.append(f"{surface.name} {url}: {response.status_code}")
            elif world.public[kind] not in text:
                missing.append(f"{surface.name} {url}: no {world.public[kind]}")

    assert not leaks, "\n".join(leaks)
    assert not missing, "\n".join(missing)
    assert not errors, "\n".join(errors)


# --- The markers are real: the roles entitled to them see them ------------------------


def _places(w: World) -> list[tuple[str, str]]:
    """(role, url) where an entitled role reads the confidential objects."""
    restricted = w.objects["restricted_dataset"].pk
    seat = w.objects["confidential_request"].reviewer_seats.get(
        reviewer=w.users["recused"]
    )
    return [
        ("member", f"/catalogue/jeux-de-donnees/{restricted}/"),
        ("member", CSW + "request=GetRecordById&elementSetName=full&id=zqconfdsid"),
        ("member", f"/besoins/{w.objects['draft_need'].pk}/"),
        ("member", f"/financements/{w.objects['confidential_request'].pk}/"),
        ("member", f"/financements/avis/{w.objects['confidential_opinion'].pk}/"),
        ("member", "/membres/conseil-departemental-de-la-haute-garonne/"),
        ("member", "/mon-compte/"),
        ("member", "/api/v1/me/subscriptions"),
        ("other", "/actualites/"),
        ("reviewer", f"/financements/{w.objects['confidential_request'].pk}/"),
        ("reviewer", "/plan-d-actions/2031/"),
        ("reviewer", f"/plan-d-actions/actions/{w.objects['draft_action'].pk}/"),
        ("reviewer", f"/reunions/{w.objects['meeting'].pk}/"),
        ("reviewer", f"/reunions/{w.objects['draft_meeting'].pk}/"),
        ("reviewer", "/actualites/redaction/"),
        ("reviewer", "/actualites/"),
        *[
            ("reviewer", f"/actualites/{w.objects[f'news_{name}'].pk}/")
            for name in ("draft", "review", "scheduled", "community")
        ],
        ("other", f"/actualites/{w.objects['news_members'].pk}/"),
        ("secretariat", f"/actualites/{w.objects['news_othercommunity'].pk}/"),
        ("recused", f"/financements/sieges/{seat.pk}/declaration/"),
        ("secretariat", f"/financements/{w.objects['published_request'].pk}/"),
        ("secretariat", "/evenements/journee-zqpubevent/inscriptions.xlsx"),
        ("secretariat", "/evenements/journee-zqconfevent/"),
        ("secretariat", "/actualites/redaction/"),
    ]


def test_every_confidential_marker_shows_to_a_role_entitled_to_it(world):
    seen: dict[str, set] = {marker: set() for marker in world.confidential}
    for role, url in _places(world):
        response = client_for(world, role).get(url)
        assert response.status_code == HTTPStatus.OK, (role, url)
        text = body_text(response)
        for marker in seen:
            if marker in text:
                seen[marker].add(role)

    unseen = [m for m, roles in seen.items() if not roles & world.confidential[m]]
    assert unseen == [], unseen
    # And never by a role that is not entitled, on these pages either, but for
    # the recused reviewer's own declaration page: it keeps showing what they
    # were shown to declare (the title and the co-funders, by design).
    seen["zqconfreqtitle"].discard("recused")
    seen["zqconfreqcofunder"].discard("recused")
    wrong = {m: roles - world.confidential[m] for m, roles in seen.items()}
    assert {m: roles for m, roles in wrong.items() if roles} == {}


# --- Counts exclude what the role may not see -----------------------------------------


def _visible(world: World, role: str, perm: str, objects) -> int:
    user = world.users[role] or AnonymousUser()
    return sum(1 for obj in objects if user.has_perm(perm, obj))


def _csw_matched(client, cql: str) -> int:
    response = client.get(
        "/csw",
        {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecords",
            "typeNames": "csw:Record",
            "resultType": "hits",
            "constraintLanguage": "CQL_TEXT",
            "constraint": cql,
        },
    )
    root = etree.fromstring(response.content)
    results = root.find("{http://www.opengis.net/cat/csw/2.0.2}SearchResults")
    return int(results.get("numberOfRecordsMatched"))


def _count(client, url: str, key: str = "count") -> int:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, (url, response.content[:300])
    return response.json()[key]


def _live_news() -> list[NewsItem]:
    now = timezone.now()
    return [
        item
        for item in NewsItem.objects.filter(state=NewsItem.State.PUBLISHED)
        if item.publish_at is None or item.publish_at <= now
    ]


@pytest.mark.parametrize("role", ROLES)
def test_counts_leave_out_what_the_role_may_not_see(world, role):
    client = client_for(world, role)
    datasets = _visible(world, role, "catalog.view_dataset", Dataset.objects.all())
    needs = _visible(world, role, "needs.view_need", Need.objects.all())
    news = _visible(world, role, "news.view_item", _live_news())
    events = _visible(world, role, "events.view_event", Event.objects.all())
    meetings = _visible(world, role, "events.view_meeting", Meeting.objects.all())
    plans = _visible(world, role, "actionplan.view_plan", Plan.objects.all())
    opinions = _visible(
        world,
        role,
        "funding.view_opinion",
        Opinion.objects.filter(published_at__isnull=False),
    )
    q = f"?q={SEARCH_WORD}"

    assert _count(client, "/api/v1/datasets") == datasets
    assert _count(client, f"/api/v1/datasets{q}") == datasets
    assert (
        _count(client, f"{OGC_ITEMS}{q}", "numberMatched")
        == _count(client, OGC_ITEMS, "numberMatched")
        == datasets
    )
    assert _csw_matched(client, f"AnyText LIKE '%{SEARCH_WORD}%'") == datasets
    assert _csw_matched(client, "AnyText LIKE '%zqconfdstitle%'") == datasets - 1
    assert _count(client, "/api/v1/needs") == needs
    assert _count(client, f"/api/v1/needs{q}") == needs
    assert _count(client, f"/api/v1/news{q}") == news
    assert _count(client, "/api/v1/events") == events
    assert _count(client, "/api/v1/meetings") == meetings
    assert _count(client, "/api/v1/plans") == plans
    assert _count(client, "/api/v1/opinions") == opinions
    if world.users[role] is not None:
        requests = _visible(
            world, role, "funding.view_request", FundingRequest.objects.all()
        )
        assert _count(client, "/api/v1/funding-requests") == requests


def test_catalogue_facets_count_the_restricted_record_only_for_those_who_see_it(
    world,
):
    def producers(role):
        facets = client_for(world, role).get("/api/v1/datasets").json()["facets"]
        return json.dumps(facets)

    assert "zqconfdsproducer" not in producers("anonymous")
    assert "zqconfdsproducer" not in producers("other")
    assert "zqconfdsproducer" in producers("member")


def test_the_counts_above_would_see_a_leak(world):
    """The expected figures differ between roles: a selector answering the same
    thing to everyone would fail the counts test."""
    anonymous, member = "anonymous", "member"
    assert _visible(
        world, anonymous, "catalog.view_dataset", Dataset.objects.all()
    ) < _visible(world, member, "catalog.view_dataset", Dataset.objects.all())
    assert _visible(world, anonymous, "needs.view_need", Need.objects.all()) < (
        _visible(world, member, "needs.view_need", Need.objects.all())
    )
    assert _visible(world, anonymous, "news.view_item", _live_news()) < (
        _visible(world, member, "news.view_item", _live_news())
    )
    assert _visible(world, anonymous, "events.view_event", Event.objects.all()) < (
        _visible(world, "secretariat", "events.view_event", Event.objects.all())
    )
    assert _visible(world, anonymous, "events.view_meeting", Meeting.objects.all()) < (
        _visible(world, "reviewer", "events.view_meeting", Meeting.objects.all())
    )
    assert _visible(world, anonymous, "actionplan.view_plan", Plan.objects.all()) < (
        _visible(world, "reviewer", "actionplan.view_plan", Plan.objects.all())
    )


# --- The open-data export -------------------------------------------------------------


def test_opendata_export_holds_public_records_only(world, tmp_path):
    opendata_export(destination=tmp_path)
    text = "\n".join(
        path.read_bytes().decode("utf-8", errors="replace").lower()
        for path in sorted(tmp_path.rglob("*"))
        if path.is_file()
    )

    assert [m for m in world.markers_hidden_from("anonymous") if m in text] == []
    for kind in ("dataset", "need", "funding", "opinion", "action", "meeting", "event"):
        assert world.public[kind] in text, kind
    assert world.public["news"] in text


# --- Positions and scores before the opinion is published -----------------------------


@pytest.mark.parametrize(
    ("role", "sees_scores"),
    [
        ("member", False),
        ("referent", False),
        ("reviewer", True),
        ("secretariat", True),
        ("admin", True),
    ],
)
def test_positions_and_scores_go_to_the_review_only_until_publication(
    world, role, sees_scores
):
    pk = world.objects["confidential_request"].pk
    response = client_for(world, role).get(f"/api/v1/funding-requests/{pk}")

    assert response.status_code == HTTPStatus.OK
    positions = response.json()["positions"] or []
    assert bool([p for p in positions if p.get("scores")]) is sees_scores


@pytest.mark.parametrize("role", ["anonymous", "other", "recused"])
def test_the_unpublished_request_is_not_found_for_those_outside_its_file(world, role):
    client = client_for(world, role)
    request = world.objects["confidential_request"].pk
    opinion = world.objects["confidential_opinion"].pk

    for url in (
        f"/financements/{request}/",
        f"/financements/avis/{opinion}/",
        f"/api/v1/opinions/{opinion}",
    ):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    if role != "anonymous":
        response = client.get(f"/api/v1/funding-requests/{request}")
        assert response.status_code == HTTPStatus.NOT_FOUND
