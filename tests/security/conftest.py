"""The permission matrix's world: one object for every URL keyword, and one person
per role of issue 9.

The world is built with the apps' factories, the same way their fixtures build
``organisation``, ``funding_request``, ``cleared_reviewer_user`` and the others, but
once per module instead of once per test: ``world`` opens a transaction around the
module (``django_db_blocker``) and rolls it back at the end, so the database is left
as the session found it, while each test still runs in its own savepoint (the
``db`` fixture) and cannot leave anything behind for the next one.

Roles (``roles.ROLES``), around the objects of ``organisation`` (CD31):

- ``anonymous``: nobody signed in;
- ``other``: a member of another organisation (UM);
- ``member``: a member of CD31, who entered its funding request and its needs;
- ``referent``: CD31's referent;
- ``reviewer``: a reviewer of the signatory (Région Occitanie) seated on the
  funding request, declared without conflict of interest;
- ``recused``: another reviewer of the same signatory, seated and recused;
- ``secretariat``: the secretariat (staff, no superuser);
- ``admin``: an administrator (superuser).
"""

import datetime
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

INVITATION_TOKEN = "matrix-invitation-token-0123456789abcdef"


@dataclass
class World:
    """Objects by name; ``matrix.py`` names them in its URL keyword fillers."""

    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _file(name: str, content: bytes = b"%PDF-1.4 matrix\n") -> ContentFile:
    return ContentFile(content, name=name)


def build_world() -> World:
    from django_tasks_db.models import DBTaskResult

    from crig.actionplan.models import ActionChange, Plan
    from crig.actionplan.tests import factories as plans
    from crig.catalog.models import DuplicateCandidate, HarvestRun, Visibility
    from crig.catalog.tests import factories as catalog
    from crig.core.models import SiteText
    from crig.events.models import Event, MeetingDocument, PersonalDataExport
    from crig.events.services.registrations import CANCEL_SALT
    from crig.events.tests import factories as events
    from crig.funding.models import (
        AuditEntry,
        FundingRequest,
        RequestAttachment,
        ReviewerSeat,
    )
    from crig.funding.tests import factories as funding
    from crig.members.models import Invitation, Membership, Organisation
    from crig.members.services.invitations import invitation_token_hash
    from crig.members.tests import factories as members
    from crig.needs.models import Need, NeedAttachment, NeedEvent, Round
    from crig.needs.tests import factories as needs
    from crig.news.models import Delivery, NewsAttachment, NewsItem
    from crig.news.tests import factories as news

    world = World()
    o = world.objects

    # Organisations and people (as in members' fixtures).
    o["organisation"] = members.OrganisationFactory(
        name="Conseil départemental de la Haute-Garonne",
        slug="conseil-departemental-de-la-haute-garonne",
        acronym="CD31",
    )
    o["other_organisation"] = members.OrganisationFactory(
        name="Université de Montpellier",
        slug="universite-de-montpellier",
        acronym="UM",
        category=Organisation.Category.ACADEMIQUE,
    )
    o["signatory"] = members.SignatoryFactory(
        organisation__name="Région Occitanie",
        organisation__slug="region-occitanie",
        organisation__category=Organisation.Category.COLLECTIVITE,
    )
    u = world.users
    u["other"] = members.MembershipFactory(
        person__email="other-member@example.org",
        organisation=o["other_organisation"],
    ).person
    u["member"] = members.MembershipFactory(
        person__email="member@example.org", organisation=o["organisation"]
    ).person
    u["referent"] = members.MembershipFactory(
        person__email="referent@example.org",
        organisation=o["organisation"],
        role=Membership.Role.REFERENT,
    ).person
    u["reviewer"] = members.ReviewerAssignmentFactory(
        person__email="reviewer@example.org", signatory=o["signatory"]
    ).person
    u["recused"] = members.ReviewerAssignmentFactory(
        person__email="recused@example.org", signatory=o["signatory"]
    ).person
    u["secretariat"] = members.UserFactory(
        email="secretariat@example.org", is_secretariat=True, is_staff=True
    )
    u["admin"] = members.UserFactory(
        email="admin@example.org", is_superuser=True, is_staff=True
    )
    o["membership"] = u["member"].memberships.get()
    o["invitation"] = Invitation.objects.create(
        email="invitee@example.org",
        organisation=o["organisation"],
        invited_by=u["referent"],
        token_hash=invitation_token_hash(INVITATION_TOKEN),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    o["invitation_token"] = INVITATION_TOKEN
    o["api_token"] = members.ApiTokenFactory(person=u["member"])
    o["reset_uid"] = urlsafe_base64_encode(force_bytes(u["member"].pk))
    o["organisation_type"] = ContentType.objects.get_for_model(Organisation)
    o["group"] = Group.objects.create(name="Matrix")
    o["site_text"] = SiteText.objects.create(
        key="matrix", title_fr="Matrice", body_fr="Texte."
    )

    # Catalogue: a restricted record of CD31, a public one, and what the harvest
    # leaves around them.
    o["restricted_dataset"] = catalog.DatasetFactory(
        title="Réseau d'assainissement (restreint)",
        producer=o["organisation"],
        visibility=Visibility.RESTRICTED,
    )
    o["public_dataset"] = catalog.DatasetFactory(title="Orthophotographie publique")
    o["provenance"] = catalog.ProvenanceFactory(dataset=o["restricted_dataset"])
    o["harvest_run"] = HarvestRun.objects.create(source=o["provenance"].source)
    o["duplicate"] = DuplicateCandidate.objects.create(
        dataset=o["restricted_dataset"], other=o["public_dataset"], score=0.9
    )

    # Needs: CD31's published need (supported by UM), another nobody supports yet,
    # and a draft, all entered by the member; a prioritisation round still in
    # preparation.
    o["need"] = needs.NeedFactory(
        organisation=o["organisation"], author=u["member"], title="Ortho 5 cm"
    )
    o["draft_need"] = needs.NeedFactory(
        organisation=o["organisation"],
        author=u["member"],
        title="Brouillon : LIDAR de la Garonne",
        state=Need.State.DRAFT,
        submitted_at=None,
    )
    o["need_to_support"] = needs.NeedFactory(
        organisation=o["organisation"], author=u["member"], title="Adresses"
    )
    o["support"] = needs.SupportFactory(
        need=o["need"], organisation=o["other_organisation"], author=u["other"]
    )
    o["draft_need_attachment"] = NeedAttachment.objects.create(
        need=o["draft_need"],
        file=_file("cahier.pdf"),
        name="cahier.pdf",
        size=16,
        uploaded_by=u["member"],
    )
    o["need_event"] = NeedEvent.objects.create(
        need=o["need"], kind=NeedEvent.Kind.CREATED
    )
    o["weights"] = needs.ScoringWeightsFactory()
    o["draft_round"] = needs.RoundFactory(state=Round.State.DRAFT)

    # Funding: CD31's confidential request under review (seated reviewer, recused
    # reviewer), its draft, an admissible request whose seat the reviewer has not
    # declared yet, a request just submitted, and a request with an opinion issued
    # but not published.
    o["programme"] = funding.ProgrammeFactory(signatory=o["signatory"])
    common = {
        "applicant": o["organisation"],
        "signatory": o["signatory"],
        "entered_by": u["member"],
    }
    o["funding_request"] = funding.FundingRequestFactory(
        title="PCRS de Toulouse", state=FundingRequest.State.UNDER_REVIEW, **common
    )
    o["cleared_seat"] = funding.ReviewerSeatFactory(
        request=o["funding_request"],
        signatory=o["signatory"],
        reviewer=u["reviewer"],
        conflict=ReviewerSeat.Conflict.NONE,
    )
    o["recused_seat"] = funding.ReviewerSeatFactory(
        request=o["funding_request"],
        signatory=o["signatory"],
        reviewer=u["recused"],
        conflict=ReviewerSeat.Conflict.CONFLICT,
        conflict_statement="Mon organisation co-finance le projet.",
    )
    o["request_attachment"] = RequestAttachment.objects.create(
        request=o["funding_request"],
        file=_file("devis.pdf"),
        name="devis.pdf",
        size=16,
        uploaded_by=u["member"],
    )
    o["draft_request"] = funding.FundingRequestFactory(
        title="Brouillon : LIDAR",
        state=FundingRequest.State.DRAFT,
        submitted_at=None,
        **common,
    )
    o["draft_request_attachment"] = RequestAttachment.objects.create(
        request=o["draft_request"],
        file=_file("annexe.pdf"),
        name="annexe.pdf",
        size=16,
        uploaded_by=u["member"],
    )
    o["second_request"] = funding.FundingRequestFactory(
        title="Adresses de l'Aude", state=FundingRequest.State.ADMISSIBLE, **common
    )
    o["undeclared_seat"] = funding.ReviewerSeatFactory(
        request=o["second_request"],
        signatory=o["signatory"],
        reviewer=u["reviewer"],
    )
    o["submitted_request"] = funding.FundingRequestFactory(
        title="LIDAR du Tarn", **common
    )
    o["opinion"] = funding.OpinionFactory(
        request=funding.FundingRequestFactory(
            title="Occupation du sol",
            state=FundingRequest.State.OPINION_ISSUED,
            **common,
        ),
        issued_by=u["secretariat"],
    )
    o["audit_entry"] = AuditEntry.objects.create(
        request=o["funding_request"], action="submitted"
    )

    # Action plan: the published 2024 plan with an action led by CD31, and the
    # 2025 draft with an action of its own and a progress update.
    o["plan"] = plans.PlanFactory(year=2024)
    o["draft_plan"] = plans.PlanFactory(year=2025, state=Plan.State.DRAFT)
    o["action"] = plans.ActionFactory(
        plan=o["plan"], number=1, leads=[o["organisation"]]
    )
    o["draft_action"] = plans.ActionFactory(
        plan=o["draft_plan"], number=1, leads=[o["organisation"]]
    )
    o["milestone"] = plans.MilestoneFactory(action=o["action"])
    o["indicator"] = plans.IndicatorFactory(action=o["action"])
    o["progress_update"] = plans.ProgressUpdateFactory(
        action=o["action"], author=u["member"], attachment=_file("photo.pdf")
    )
    o["draft_update"] = plans.ProgressUpdateFactory(
        action=o["draft_action"], author=u["reviewer"], attachment=_file("plan.pdf")
    )
    o["action_change"] = ActionChange.objects.create(action=o["action"], what="created")

    # Meetings and events: a draft meeting, a published one with a confidential
    # document, a published event with the member's registration, a draft event.
    o["draft_meeting"] = events.MeetingFactory(state="draft")
    o["meeting"] = events.MeetingFactory()
    o["confidential_document"] = MeetingDocument.objects.create(
        meeting=o["meeting"],
        file=_file("budget.pdf"),
        name="budget.pdf",
        size=16,
        confidential=True,
    )
    o["event"] = events.EventFactory(slug="journee-du-crig")
    o["draft_event"] = events.EventFactory(
        slug="atelier-en-preparation", state=Event.State.DRAFT
    )
    o["registration"] = events.RegistrationFactory(
        event=o["event"],
        person=u["member"],
        email="member@example.org",
        organisation=o["organisation"],
    )
    from django.core import signing

    o["cancel_token"] = signing.dumps(o["registration"].pk, salt=CANCEL_SALT)
    o["data_export"] = PersonalDataExport.objects.create(
        event=o["event"], actor=u["secretariat"], what="registrations", rows=1
    )

    # News: a public item, a members-only item with an attachment, the
    # signatory's community item, a draft; the member's subscription.
    o["news_item"] = news.NewsItemFactory(title="Nouveau standard PCRS")
    o["members_item"] = news.NewsItemFactory(
        title="Réservé aux membres",
        audience=NewsItem.Audience.MEMBERS,
        author=u["secretariat"],
    )
    o["members_attachment"] = NewsAttachment.objects.create(
        item=o["members_item"], file=_file("note.pdf"), name="note.pdf", size=16
    )
    o["community_item"] = news.NewsItemFactory(
        title="Pour la communauté de la Région",
        audience=NewsItem.Audience.COMMUNITY,
        community=o["signatory"],
        author=u["secretariat"],
    )
    o["draft_item"] = news.NewsItemFactory(
        title="Brouillon d'actualité",
        state=NewsItem.State.DRAFT,
        publish_at=None,
        author=u["secretariat"],
    )
    o["subscription"] = news.SubscriptionFactory(person=u["member"])
    now = timezone.now()
    o["delivery"] = Delivery.objects.create(
        person=u["member"],
        frequency="weekly",
        period_start=now - datetime.timedelta(days=7),
        period_end=now,
        subject="Résumé",
    )
    o["task_result"] = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="crig.matrix.task",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    if apps.is_installed("axes"):  # login lockout records, read in the admin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        attempt = {
            "user_agent": "matrix",
            "ip_address": "127.0.0.1",
            "username": "member@example.org",
            "http_accept": "*/*",
            "path_info": "/connexion/",
            "attempt_time": now,
        }
        o["access_attempt"] = AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        )
        o["access_log"] = AccessLog.objects.create(**attempt)
        o["access_failure"] = AccessFailureLog.objects.create(**attempt)
    return world


def _session_cookies(user) -> dict:
    client = Client()
    client.force_login(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module inside a transaction rolled back after."""
    from django.test import override_settings

    from crig.territory.tests.fixtures import ensure_territory

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media")),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_territory()
            built = build_world()
            for role, user in built.users.items():
                built.sessions[role] = _session_cookies(user)
            # After signing in, which changes the last login the token depends on.
            built.objects["reset_token"] = default_token_generator.make_token(
                built.users["member"]
            )
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def matrix_client(matrix_world, db):
    """A client signed in as a role (``"anonymous"``: nobody)."""

    def client_for(role: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for name, value in matrix_world.sessions.get(role, {}).items():
            client.cookies[name] = value
        return client

    return client_for
