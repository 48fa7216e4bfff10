"""One confidential object of each kind, and a public sibling of each, for
``test_confidential``.

Every text field of a confidential object carries a marker (a made-up word that
nothing else produces), and each marker says which roles may read it. A public
sibling carries public markers, which must show on the surfaces that list its
kind: otherwise an empty or broken page would pass the absence checks. Every
title also holds ``SEARCH_WORD``, so that searching for it finds the confidential
and the public object alike without the query itself echoing a marker.

Roles (``roles.ROLES``): ``anonymous``; ``other`` (member of another organisation);
``member`` and ``referent`` of ``organisation`` (CD31); ``reviewer`` (reviewer of
the Région Occitanie signatory, seated on the confidential funding request and
cleared); ``recused`` (another reviewer of that signatory, recused on it);
``secretariat``; ``admin`` (a superuser: entitled to every marker).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from crig.actionplan.tests.factories import ActionFactory, PlanFactory
from crig.catalog.models import Dataset, Visibility
from crig.catalog.search.index import dataset_index
from crig.catalog.services.coverage import coverage_compute
from crig.catalog.tests.factories import DatasetFactory, KeywordFactory
from crig.events.models import AgendaItem, Decision, Event, Registration
from crig.events.tests.factories import (
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    SessionFactory,
)
from crig.funding.models import (
    BudgetLine,
    CoFunder,
    FundingRequest,
    Opinion,
    ReviewerSeat,
)
from crig.funding.tests.factories import (
    FundingRequestFactory,
    OpinionFactory,
    ReviewerSeatFactory,
    SignatoryPositionFactory,
)
from crig.members.models import Membership
from crig.members.services import api_token_create
from crig.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ReviewerAssignmentFactory,
    SignatoryFactory,
    UserFactory,
)
from crig.needs.models import Need
from crig.needs.tests.factories import NeedFactory
from crig.news.models import NewsItem
from crig.news.tests.factories import NewsItemFactory, SubscriptionFactory

STAFF = frozenset({"secretariat", "admin"})
#: The signatories' people: the two reviewers of the Région Occitanie.
COUNCIL = STAFF | {"reviewer", "recused"}
#: Who sees the confidential funding request's file (rules.can_see_file).
FILE = STAFF | {"member", "referent", "reviewer"}
#: A word in every title, confidential or public, to search with.
SEARCH_WORD = "zqcommun"


@dataclass
class World:
    users: dict  # role -> User (anonymous: None)
    #: marker -> the roles that may read it.
    confidential: dict[str, frozenset] = field(default_factory=dict)
    #: kind -> marker of the public sibling.
    public: dict[str, str] = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def secret(self, marker: str, roles) -> str:
        assert marker not in self.confidential, marker
        # Administrators are superusers: they pass every rule, as everywhere in
        # Django, and the selectors follow (e.g. ``needs_visible_to``).
        self.confidential[marker] = frozenset(roles) | {"admin"}
        return marker

    def markers_hidden_from(self, role: str) -> list[str]:
        return [m for m, roles in self.confidential.items() if role not in roles]


def build_world(
    *,
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
    other_user = MembershipFactory(
        person__email="other@example.org",
        person__full_name="Olivier Ailleurs",
        organisation=other_organisation,
        role=Membership.Role.REFERENT,
    ).person
    world = World(
        users={
            "anonymous": None,
            "other": other_user,
            "member": member_user,
            "referent": referent_user,
            "reviewer": cleared_reviewer_user,
            "recused": recused_reviewer_user,
            "secretariat": secretariat_user,
            "admin": admin_user,
        }
    )
    s = world.secret
    _catalog(world, s, organisation)
    _needs(world, s, organisation, other_organisation, member_user)
    _funding(world, s, funding_request, signatory, cleared_reviewer_user)
    _actionplan(world, s, organisation)
    _events(world, s)
    _news(world, s, signatory, secretariat_user)
    _members(world, s, organisation, member_user)
    return world


def _catalog(world, s, organisation):
    public = DatasetFactory(
        identifier="zqpubdsid",
        title=f"Orthophotographie zqpubdstitle {SEARCH_WORD}",
        abstract="Prise de vue zqpubdsabstract.",
        producer_name="IGN",
    )
    restricted = DatasetFactory(
        identifier=s("zqconfdsid", {"member", "referent"} | STAFF),
        title=f"Réseau interne {s('zqconfdstitle', {'member', 'referent'} | STAFF)} "
        f"{SEARCH_WORD}",
        abstract=f"Tronçons {s('zqconfdsabstract', {'member', 'referent'} | STAFF)}.",
        producer_name=s("zqconfdsproducer", {"member", "referent"} | STAFF),
        producer=organisation,
        visibility=Visibility.RESTRICTED,
        # Newer than the public one: the best of the référentiel, were it seen.
        year=2024,
        lineage=s("zqconfdslineage", {"member", "referent"} | STAFF),
    )
    KeywordFactory(
        dataset=restricted,
        code="zqconfdskeyword",
        label=s("zqconfdskeyword", {"member", "referent"} | STAFF),
    )
    dataset_index([public.pk, restricted.pk])
    coverage_compute(dataset_ids=[public.pk, restricted.pk])
    world.public["dataset"] = "zqpubdstitle"
    world.objects.update(public_dataset=public, restricted_dataset=restricted)
    assert restricted.status == Dataset.Status.ACTIVE


def _needs(world, s, organisation, other_organisation, member_user):
    author_only = {"member"}
    draft = NeedFactory(
        organisation=organisation,
        author=member_user,
        contact=member_user,
        state=Need.State.DRAFT,
        submitted_at=None,
        title=f"Besoin {s('zqconfneedtitle', author_only)} {SEARCH_WORD}",
        description=f"Détail {s('zqconfneeddesc', author_only)}.",
        intended_use=s("zqconfneeduse", author_only),
        precision=s("zqconfneedprec", author_only),
    )
    public = NeedFactory(
        organisation=other_organisation,
        title=f"Besoin zqpubneedtitle {SEARCH_WORD}",
        description="Détail zqpubneeddesc.",
    )
    world.public["need"] = "zqpubneedtitle"
    world.objects.update(draft_need=draft, public_need=public)


def _funding(world, s, funding_request, signatory, cleared_reviewer_user):
    """``funding_request`` (CD31's, entered by ``member_user``) becomes the
    confidential one: its opinion issued, not published. A request of a third
    organisation, published, is the public sibling, whose own file stays
    confidential for good."""
    request = funding_request
    request.title = f"Demande {s('zqconfreqtitle', FILE)} {SEARCH_WORD}"
    request.public_summary = f"Résumé {s('zqconfreqsummary', FILE)}."
    request.description = f"Projet {s('zqconfreqdesc', FILE)}."
    request.deliverables = s("zqconfreqdeliver", FILE)
    request.standards = s("zqconfreqstandards", FILE)
    request.state = FundingRequest.State.OPINION_ISSUED
    request.self_funding = Decimal("30000.00")
    request.save()
    BudgetLine.objects.filter(request=request).update(label=s("zqconfreqbudget", FILE))
    CoFunder.objects.create(
        request=request, name=s("zqconfreqcofunder", FILE), amount=Decimal("10000")
    )
    SignatoryPositionFactory(
        request=request,
        signatory=signatory,
        comments=s("zqconfposcomment", STAFF | {"reviewer"}),
        recorded_by=cleared_reviewer_user,
    )
    ReviewerSeat.objects.filter(
        request=request, conflict=ReviewerSeat.Conflict.CONFLICT
    ).update(conflict_statement=s("zqconfdeclaration", STAFF | {"recused"}))
    OpinionFactory(
        request=request,
        reasoning=s("zqconfopinion", FILE),
        conditions=s("zqconfopinioncond", FILE),
        meeting_label=s("zqconfopinionmeeting", FILE),
    )

    # The public sibling: a published opinion on a third organisation's request.
    third = OrganisationFactory(name="Syndicat zqpubapplicant")
    published = FundingRequestFactory(
        applicant=third,
        signatory=signatory,
        title=f"Demande zqpubreqtitle {SEARCH_WORD}",
        public_summary="Résumé zqpubreqsummary.",
        description=f"Projet {s('zqforeverdesc', STAFF)}.",
        deliverables=s("zqforeverdeliver", STAFF),
        state=FundingRequest.State.PUBLISHED,
    )
    BudgetLine.objects.filter(request=published).update(
        label=s("zqforeverbudget", STAFF)
    )
    ReviewerSeatFactory(
        request=published,
        signatory=signatory,
        reviewer=ReviewerAssignmentFactory(signatory=signatory).person,
        conflict=ReviewerSeat.Conflict.NONE,
    )
    SignatoryPositionFactory(
        request=published, signatory=signatory, comments=s("zqforevercomment", STAFF)
    )
    OpinionFactory(
        request=published,
        reasoning="Avis zqpubopinion.",
        published_at=timezone.now(),
        adopted_on=datetime.date(2024, 3, 12),
    )
    world.public["funding"] = "zqpubreqtitle"
    world.public["opinion"] = "zqpubopinion"
    world.objects.update(
        confidential_request=request,
        published_request=published,
        confidential_opinion=Opinion.objects.get(request=request),
        published_opinion=Opinion.objects.get(request=published),
    )


def _actionplan(world, s, organisation):
    public_plan = PlanFactory(year=2024, introduction="Introduction zqpubplanintro.")
    public_action = ActionFactory(
        plan=public_plan,
        title=f"Action zqpubaction {SEARCH_WORD}",
        leads=[organisation],
    )
    draft_plan = PlanFactory(
        year=2031,
        state="draft",
        title=f"Plan {s('zqconfplantitle', COUNCIL)}",
        introduction=s("zqconfplanintro", COUNCIL),
    )
    draft_action = ActionFactory(
        plan=draft_plan,
        title=f"Action {s('zqconfactiontitle', COUNCIL)} {SEARCH_WORD}",
        objectives=s("zqconfactionobj", COUNCIL),
        leads=[organisation],
    )
    world.public["action"] = "zqpubaction"
    world.objects.update(
        public_plan=public_plan,
        public_action=public_action,
        draft_plan=draft_plan,
        draft_action=draft_action,
    )


def _events(world, s):
    # A published meeting with a public item and a confidential one (and its
    # decision), and a draft meeting.
    meeting = MeetingFactory(
        title=f"Comité zqpubmeeting {SEARCH_WORD}",
        minutes="Compte rendu zqpubminutes.",
        published_at=timezone.now(),
    )
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Point zqpubagenda", description="Public."
    )
    secret_item = AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title=f"Point {s('zqconfagendatitle', COUNCIL)}",
        description=s("zqconfagendadesc", COUNCIL),
        confidential=True,
    )
    Decision.objects.create(
        meeting=meeting, agenda_item=secret_item, text=s("zqconfdecision", COUNCIL)
    )
    Decision.objects.create(meeting=meeting, text="Décision zqpubdecision.")
    draft_meeting = MeetingFactory(
        title=f"Comité {s('zqconfmeetingtitle', COUNCIL)} {SEARCH_WORD}",
        place=s("zqconfmeetingplace", COUNCIL),
        minutes=s("zqconfmeetingminutes", COUNCIL),
        state="draft",
    )

    # A published event with registrants, and a draft event.
    event = EventFactory(
        title=f"Journée zqpubevent {SEARCH_WORD}",
        slug="journee-zqpubevent",
        description="Programme zqpubeventdesc.",
    )
    SessionFactory(event=event, title="Session zqpubsession")
    RegistrationFactory(
        event=event,
        full_name=f"Inès {s('zqconfregname', STAFF)}",
        email=f"{s('zqconfregmail', STAFF)}@example.org",
        organisation_name=s("zqconfregorg", STAFF),
        accessibility_needs=s("zqconfregaccess", STAFF),
        dietary_needs=s("zqconfregdiet", STAFF),
        consent_to_list=False,
    )
    RegistrationFactory(
        event=event,
        full_name="Listée zqpublisted",
        email=f"{s('zqconflistedmail', STAFF)}@example.org",
        dietary_needs=s("zqconflisteddiet", STAFF),
        consent_to_list=True,
    )
    draft_event = EventFactory(
        title=f"Journée {s('zqconfeventtitle', STAFF)} {SEARCH_WORD}",
        slug="journee-zqconfevent",
        description=s("zqconfeventdesc", STAFF),
        place_name=s("zqconfeventplace", STAFF),
        state=Event.State.DRAFT,
    )
    SessionFactory(event=draft_event, title=s("zqconfsession", STAFF))
    world.public.update(
        meeting="zqpubmeeting", agenda="zqpubagenda", event="zqpubevent"
    )
    world.objects.update(
        meeting=meeting,
        draft_meeting=draft_meeting,
        event=event,
        draft_event=draft_event,
    )
    assert Registration.objects.filter(event=event).count() == 2


def _news(world, s, signatory, secretariat_user):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    editorial = COUNCIL  # drafts, items in review, scheduled items
    public = NewsItemFactory(
        title=f"Actualité zqpubnews {SEARCH_WORD}",
        summary="zqpubnewssummary",
        body="<p>Texte zqpubnewsbody.</p>",
    )
    for state, publish_at, name in (
        (NewsItem.State.DRAFT, None, "draft"),
        (NewsItem.State.REVIEW, None, "review"),
        (NewsItem.State.PUBLISHED, now + 48 * hour, "scheduled"),
    ):
        world.objects[f"news_{name}"] = NewsItemFactory(
            title=f"Actualité {s(f'zqconfnews{name}', editorial)} {SEARCH_WORD}",
            summary=s(f"zqconfnews{name}summary", editorial),
            body=f"<p>{s(f'zqconfnews{name}body', editorial)}</p>",
            state=state,
            publish_at=publish_at,
            author=secretariat_user,
        )
    members = STAFF | {"other", "member", "referent"}
    world.objects["news_members"] = NewsItemFactory(
        title=f"Actualité {s('zqconfnewsmembers', members)} {SEARCH_WORD}",
        body=f"<p>{s('zqconfnewsmembersbody', members)}</p>",
        audience=NewsItem.Audience.MEMBERS,
    )
    world.objects["news_community"] = NewsItemFactory(
        title=f"Actualité {s('zqconfnewscommunity', COUNCIL)} {SEARCH_WORD}",
        body=f"<p>{s('zqconfnewscommunitybody', COUNCIL)}</p>",
        audience=NewsItem.Audience.COMMUNITY,
        community=signatory,
    )
    # What another signatory prepares for its own community: not for the
    # Région Occitanie's reviewers.
    world.objects["news_othercommunity"] = NewsItemFactory(
        title=f"Actualité {s('zqconfnewsothercommunity', STAFF)} {SEARCH_WORD}",
        body=f"<p>{s('zqconfnewsothercommunitybody', STAFF)}</p>",
        audience=NewsItem.Audience.COMMUNITY,
        community=SignatoryFactory(organisation__name="IGN Occitanie"),
        state=NewsItem.State.DRAFT,
        publish_at=None,
        author=secretariat_user,
    )
    world.public["news"] = "zqpubnews"
    world.objects.update(public_news=public)


def _members(world, s, organisation, member_user):
    people = STAFF | {"member", "referent"}
    MembershipFactory(
        person=UserFactory(
            full_name=f"Personne {s('zqconfpersonname', people)}",
            email=f"{s('zqconfpersonmail', people)}@example.org",
        ),
        organisation=organisation,
    )
    api_token_create(user=member_user, name=s("zqconftokenname", {"member", "admin"}))
    SubscriptionFactory(
        person=member_user,
        territory_description=s("zqconfsubscription", {"member"} | STAFF),
    )
