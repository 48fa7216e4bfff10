"""A world whose every user-writable text is hostile, for ``test_xss.py``.

``build_world()`` makes one or more rows of every model of the crig apps with the
apps' factories (and the services where a page needs a state only they reach),
then overwrites every text field listed in the corpus with a payload that sets
``window.__xss`` if it ever runs. Each field has its own marker (``zq017a``:
field 17, first row), so a test can tell which field a page shows.

Fields left alone are listed in ``SKIPPED`` with the reason; a field with
``choices`` is a closed list validated everywhere and is skipped by rule.
``corpus_gaps()`` names any text field that is neither filled nor skipped, so
the corpus stays complete when a model gains a field.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

APPS = (
    "core",
    "territory",
    "members",
    "catalog",
    "needs",
    "funding",
    "actionplan",
    "events",
    "news",
)

# Each sets the flag when it runs; together they break out of text, of double-
# and single-quoted attributes, and of a <script> holding inline JSON.
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG_DOUBLE = '"><svg onload=window.__xss=1>'
SVG_SINGLE = "'><svg onload=window.__xss=1>"
SCRIPT_CLOSE = "</script><script>window.__xss=1</script>"
TEMPLATE = "{{7*7}}{% now 'Y' %}"
SNIPPETS = (SCRIPT, IMG, SVG_DOUBLE, SVG_SINGLE, SCRIPT_CLOSE, TEMPLATE)
JAVASCRIPT_URL = "javascript:window.__xss=1"
# What an editor could paste into a body sanitised with nh3 (news): links and
# frames with script targets, handlers, styles, an SVG, a data: URL.
RICH = (
    "<p>Bold <strong>text</strong> and a <a href='https://example.org/'>link</a>"
    "</p><a href='javascript:window.__xss=1'>click</a>"
    "<a href=' JaVaScRiPt:window.__xss=1'>click</a>"
    "<iframe src='javascript:window.__xss=1'></iframe>"
    "<p onmouseover='window.__xss=1' style='x'>hover</p>"
    "<svg><script>window.__xss=1</script></svg>"
    "<a href='data:text/html,<script>window.__xss=1</script>'>data</a>"
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>"
)

# Text fields not filled, with the reason. Everything else with max_length or a
# TextField/JSONField is filled (see ``corpus_gaps``).
SKIPPED = {
    "territory.Region.outline": "GeoJSON geometry, parsed, never shown as text",
    "territory.Region.code": "official INSEE code, checked by the loader",
    "territory.Departement.outline": "GeoJSON geometry, parsed, never shown as text",
    "territory.Departement.code": "official INSEE code, checked by the loader",
    "territory.Departement.chef_lieu": "official INSEE code, checked by the loader",
    "territory.EPCI.outline": "GeoJSON geometry, parsed, never shown as text",
    "territory.EPCI.siren": "official SIREN, checked by the loader",
    "territory.EPCI.search_name": "search key derived from the name (a-z0-9)",
    "territory.EPCI.financing": "official code (FPU/FA), checked by the loader",
    "territory.EPCI.outside_member_codes": "official INSEE codes from the COG",
    "territory.Commune.outline": "GeoJSON geometry, parsed, never shown as text",
    "territory.Commune.insee": "official INSEE code, checked by the loader",
    "territory.Commune.search_name": "search key derived from the name (a-z0-9)",
    "territory.Commune.siren": "official SIREN, checked by the loader",
    "territory.Commune.postcodes": "official postcodes, checked by the loader",
    "territory.Commune.former_codes": "official INSEE codes from the COG",
    "members.User.password": "a password hash",
    "members.Organisation.slug": "slug derived from the name",
    "members.Organisation.siren": "Luhn-checked digits",
    "members.Organisation.search_name": "search key derived from the name",
    "members.Organisation.perimeter_outline": "GeoJSON computed from communes",
    "members.Invitation.token_hash": "a SHA-256 hash",
    "members.ApiToken.prefix": "random prefix made by the service",
    "members.ApiToken.key_hash": "a SHA-256 hash",
    "catalog.HarvestSource.name": "slug (SlugField), identifier of the source",
    "catalog.Dataset.footprint": "GeoJSON geometry, parsed, never shown as text",
    "catalog.Dataset.language": "ISO 639 code normalised by the ingest rules",
    "catalog.Dataset.search_text": "search key derived from the other fields",
    "catalog.Dataset.search_title": "search key derived from the title",
    "catalog.Dataset.match_key": "duplicate-detection key derived from the title, "
    "never shown",
    "catalog.DatasetTitleWord.word": "duplicate-detection word derived from the "
    "title, never shown",
    "catalog.SearchChange.token": "random token of the search index",
    "catalog.Provenance.content_hash": "a SHA-256 hash",
    "catalog.DatasetFootprint.digest": "a BLAKE2b hash of the footprint's WKB",
    "catalog.AreaCoverage.code": "EPCI SIREN or département code, copied from the "
    "territory by the coverage service",
    "catalog.DuplicateCandidate.reasons": "similarity figures (numbers only)",
    "needs.Need.outline": "GeoJSON geometry, parsed, never shown as text",
    "needs.Need.consolidated_outline": "GeoJSON computed from the supports",
    "needs.Support.outline": "GeoJSON geometry, parsed, never shown as text",
    "needs.Ballot.ranking": "need ids",
    "funding.FundingRequest.outline": "GeoJSON geometry, parsed, never shown",
    "funding.FundingRequest.reference": "generated by the service (FIN-YYYY-NNN)",
    "funding.SignatoryPosition.scores": "criterion codes → integers 0 to 4",
    "funding.AuditEntry.action": "service code (e.g. opinion_issue)",
    "actionplan.ActionChange.what": "service code (e.g. update)",
    "events.Event.slug": "slug derived from the title",
    "events.PersonalDataExport.what": "service code of the export",
    "news.Subscription.themes": "theme codes from a closed list",
    "news.Subscription.topics": "topic codes from a closed list",
}


def text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def field_key(model, f) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{f.name}"


def corpus_fields() -> list[tuple[type, models.Field]]:
    """Every (model, field) the corpus fills, in a stable order."""
    result = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for f in text_fields(model):
                if f.choices or field_key(model, f) in SKIPPED:
                    continue
                result.append((model, f))
    return result


def marker(number: int, row: int) -> str:
    return f"zq{number:03d}{chr(ord('a') + row % 26)}"


def text_payload(number: int, row: int, max_length: int | None) -> str:
    """Marker, then as many snippets as fit, starting at a different one per
    field so that short fields together try them all."""
    text = marker(number, row)
    limit = max_length or 10_000
    for step in range(len(SNIPPETS)):
        snippet = SNIPPETS[(number + step) % len(SNIPPETS)]
        if len(text) + len(snippet) <= limit:
            text += snippet
    if max_length is None:
        text += RICH
    return text


def url_payload(number: int, row: int) -> str:
    """A web address breaking out of a quoted ``href``. (A ``javascript:``
    address is refused by the URL fields' validator at every entry point:
    ``test_url_fields_refuse_script_addresses``.)"""
    return f"https://example.org/{marker(number, row)}?{SVG_DOUBLE}{SVG_SINGLE}"


def email_payload(number: int, row: int) -> str:
    return f'{marker(number, row)}"><svg/onload=window.__xss=1>@example.org'


@dataclass
class World:
    objects: dict = field(default_factory=dict)
    # Field key → marker prefix ("zq017").
    markers: dict = field(default_factory=dict)
    # Field key → the payload of its first row, as a person should read it (for
    # a JSON field, the text inside it).
    payloads: dict = field(default_factory=dict)
    # Accounts the browser logs in with (their e-mail stays a real address).
    logins: dict = field(default_factory=dict)
    # Secrets of the links sent by e-mail, and the e-mails sent by the world.
    token: str = ""
    cancel_token: str = ""
    unsubscribe_token: str = ""
    mails: list = field(default_factory=list)

    def __getitem__(self, name):
        return self.objects[name]


def _json_payload(key: str, text: str, url: str, current):
    if key == "needs.Round.result":
        # The titles of the needs as they were when the round closed.
        return {**current, "titles": {pk: text for pk in current["titles"]}}
    if key == "catalog.HarvestRun.report":
        return {
            "pages": 1,
            "fetched": 1,
            "merged": 0,
            "duplicates": 0,
            "failures": [{"identifier": text, "message": text}],
            "warnings": [text],
        }
    if key == "funding.Opinion.positions":
        return [
            {
                "signatory_id": 0,
                "signatory": text,
                "position": "favorable",
                "scores": {"openness": 4},
            }
        ]
    if key == "funding.Opinion.recusals":
        return [{"signatory_id": 0, "signatory": text, "reviewer": text}]
    if key in ("funding.AuditEntry.changes", "actionplan.ActionChange.changes"):
        return {"title": [text, text]}
    if key == "news.Delivery.items":
        return [
            {"topic": "news", "title": text, "url": url, "at": "2024-05-02T10:00:00"}
        ]
    raise KeyError(f"No JSON payload shape for {key}")


def poison(world: World, *, keep_emails=(), territory=()) -> None:
    """Overwrite every corpus field of every row with its payload (``update``,
    so no save() or service cleans it first: the pages must cope anyway).
    Exception: the news body is stored through the sanitiser, which is the only
    way in, and the only protection of a field rendered with ``|safe``."""
    from crig.news.sanitise import sanitise_html

    for number, (model, f) in enumerate(corpus_fields(), start=1):
        key = field_key(model, f)
        world.markers[key] = marker(number, 0)[:-1]
        rows = model.objects.order_by("pk")
        if model._meta.app_label == "territory":
            # Only the units the world stands on, not the 4,453 communes.
            rows = rows.filter(pk__in=[o.pk for o in territory if type(o) is model])
        for row, pk in enumerate(rows.values_list("pk")):
            if isinstance(f, models.URLField):
                value = url_payload(number, row)
            elif isinstance(f, models.EmailField):
                if model.objects.filter(pk=pk[0], **{f.name + "__in": keep_emails}):
                    continue
                value = email_payload(number, row)
            elif isinstance(f, models.JSONField):
                world.payloads.setdefault(key, text_payload(number, row, 300))
                value = _json_payload(
                    key,
                    text_payload(number, row, 300),
                    url_payload(number, row),
                    model.objects.values_list(f.name, flat=True).get(pk=pk[0]),
                )
            else:
                value = text_payload(number, row, f.max_length)
                if key == "news.NewsItem.body":
                    value = sanitise_html(value)
            world.payloads.setdefault(key, value)
            model.objects.filter(pk=pk[0]).update(**{f.name: value})


def _file(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n%%EOF\n", name=name)


def build_world() -> World:
    from crig.actionplan.models import ActionChange
    from crig.actionplan.tests import factories as plan_f
    from crig.catalog.models import DuplicateCandidate, HarvestRun, SearchChange
    from crig.catalog.tests import factories as catalog_f
    from crig.core.models import SiteText
    from crig.events.models import (
        AgendaItem,
        Attendance,
        Decision,
        MeetingDocument,
        PersonalDataExport,
    )
    from crig.events.tests import factories as events_f
    from crig.funding.models import (
        AuditEntry,
        CoFunder,
        FundingRequest,
        RequestAttachment,
        ReviewerSeat,
    )
    from crig.funding.tests import factories as funding_f
    from crig.members.models import Invitation, Membership, Organisation
    from crig.members.tests import factories as members_f
    from crig.needs.models import Need, NeedAttachment, NeedEvent, Round
    from crig.needs.services.rounds import round_close
    from crig.needs.tests import factories as needs_f
    from crig.news.models import Delivery, NewsAttachment
    from crig.news.tests import factories as news_f
    from crig.territory.models import EPCI, Commune, Departement, Region

    world = World()
    o = world.objects
    now = timezone.now()

    # People and organisations.
    o["admin"] = members_f.UserFactory(
        email="admin@example.org", is_superuser=True, is_staff=True
    )
    o["secretariat"] = members_f.UserFactory(
        email="secretariat@example.org", is_secretariat=True, is_staff=True
    )
    o["organisation"] = members_f.OrganisationFactory(
        website="https://example.org/", description="x", acronym="ORG"
    )
    o["referent"] = members_f.MembershipFactory(
        organisation=o["organisation"],
        role=Membership.Role.REFERENT,
        person__email="referent@example.org",
        person__job_title="x",
    ).person
    o["member"] = members_f.MembershipFactory(organisation=o["organisation"]).person
    o["signatory"] = members_f.SignatoryFactory(
        organisation__category=Organisation.Category.COLLECTIVITE,
        role_fr="x",
        role_en="x",
        community_fr="x",
        community_en="x",
    )
    o["reviewer"] = members_f.ReviewerAssignmentFactory(
        signatory=o["signatory"], person__email="reviewer@example.org"
    ).person
    o["invitation"] = Invitation.objects.create(
        email="invitee@example.org",
        organisation=o["organisation"],
        invited_by=o["referent"],
        token_hash="0" * 64,
        expires_at=now + datetime.timedelta(days=7),
    )
    o["api_token"] = members_f.ApiTokenFactory(person=o["admin"])
    for key in SiteText.Key.values:
        SiteText.objects.create(key=key, title_fr="x", body_fr="x", body_en="x")

    # Catalogue.
    o["source"] = catalog_f.HarvestSourceFactory()
    o["dataset"] = catalog_f.DatasetFactory(lineage="x", producer_email="p@x.org")
    o["other_dataset"] = catalog_f.DatasetFactory()
    catalog_f.KeywordFactory(dataset=o["dataset"], thesaurus="x")
    catalog_f.DistributionFactory(dataset=o["dataset"], title="x")
    o["provenance"] = catalog_f.ProvenanceFactory(
        dataset=o["dataset"], source=o["source"], document="<x/>"
    )
    o["harvest_run"] = HarvestRun.objects.create(
        source=o["source"], label="x", error="x", started_at=now
    )
    DuplicateCandidate.objects.create(
        dataset=o["dataset"], other=o["other_dataset"], score=0.9
    )
    SearchChange.objects.create(token="t" * 16)

    # Needs.
    o["need"] = needs_f.NeedFactory(
        organisation=o["organisation"],
        author=o["member"],
        intended_use="x",
        precision="x",
        public_answer="x",
        state=Need.State.QUALIFIED,
    )
    o["support"] = needs_f.SupportFactory(need=o["need"], comment="x")
    NeedEvent.objects.create(
        need=o["need"], kind=NeedEvent.Kind.STATE_CHANGED, message="x"
    )
    o["need_attachment"] = NeedAttachment.objects.create(
        need=o["need"], file=_file("n.pdf"), name="x", size=16
    )
    needs_f.ScoringWeightsFactory(note="x")
    # A closed round: its result holds the needs' titles as they were; two
    # opposite ballots tie, so the notes name both needs.
    o["need2"] = needs_f.NeedFactory(state=Need.State.QUALIFIED)
    o["round"] = needs_f.RoundFactory(description="x", state=Round.State.OPEN)
    o["round"].needs.set([o["need"], o["need2"]])
    for ranking in ([o["need"].pk, o["need2"].pk], [o["need2"].pk, o["need"].pk]):
        needs_f.BallotFactory(round=o["round"], ranking=ranking)
    round_close(actor=o["secretariat"], round_=o["round"])

    # Funding.
    funding_f.ProgrammeFactory(signatory=o["signatory"], description="x")
    o["request"] = funding_f.FundingRequestFactory(
        applicant=o["organisation"],
        signatory=o["signatory"],
        entered_by=o["referent"],
        deliverables="x",
        standards="x",
        state=FundingRequest.State.UNDER_REVIEW,
        state_reason="x",
    )
    CoFunder.objects.create(request=o["request"], name="x", amount=Decimal(1000))
    o["request_attachment"] = RequestAttachment.objects.create(
        request=o["request"], file=_file("r.pdf"), name="x", size=16
    )
    o["seat"] = funding_f.ReviewerSeatFactory(
        request=o["request"],
        signatory=o["signatory"],
        reviewer=o["reviewer"],
        conflict=ReviewerSeat.Conflict.NONE,
        conflict_statement="x",
    )
    funding_f.SignatoryPositionFactory(
        request=o["request"], signatory=o["signatory"], comments="x"
    )
    AuditEntry.objects.create(request=o["request"], action="update")
    o["opinion"] = funding_f.OpinionFactory(
        request__applicant=o["organisation"],
        request__signatory=o["signatory"],
        conditions="x",
        correction_note="x",
        published_at=now,
    )

    # Action plan.
    o["plan"] = plan_f.PlanFactory(introduction="x")
    o["action"] = plan_f.ActionFactory(plan=o["plan"], leads=[o["organisation"]])
    o["milestone"] = plan_f.MilestoneFactory(action=o["action"])
    o["indicator"] = plan_f.IndicatorFactory(action=o["action"], unit="x")
    o["update"] = plan_f.ProgressUpdateFactory(action=o["action"])
    ActionChange.objects.create(action=o["action"], what="update")

    # Meetings and events.
    o["meeting"] = events_f.MeetingFactory(minutes="x")
    o["agenda_item"] = AgendaItem.objects.create(
        meeting=o["meeting"], title="x", description="x"
    )
    o["meeting_document"] = MeetingDocument.objects.create(
        meeting=o["meeting"], file=_file("m.pdf"), name="x", size=16
    )
    Attendance.objects.create(
        meeting=o["meeting"], organisation=o["organisation"], representatives="x"
    )
    Decision.objects.create(meeting=o["meeting"], text="x")
    o["event"] = events_f.EventFactory(description="x", address="x")
    events_f.SessionFactory(event=o["event"], description="x", speakers="x", room="x")
    o["registration"] = events_f.RegistrationFactory(
        event=o["event"],
        organisation_name="x",
        accessibility_needs="x",
        dietary_needs="x",
    )
    PersonalDataExport.objects.create(event=o["event"], what="registrations", rows=1)

    # News.
    o["news"] = news_f.NewsItemFactory(
        summary="x",
        source_name="x",
        source_url="https://example.org/",
        standard="x",
        territory_description="x",
    )
    o["news_attachment"] = NewsAttachment.objects.create(
        item=o["news"], file=_file("a.pdf"), name="x", size=16
    )
    o["subscription"] = news_f.SubscriptionFactory(
        person=o["admin"], territory_description="x"
    )
    Delivery.objects.create(
        person=o["admin"],
        frequency="weekly",
        period_start=now - datetime.timedelta(days=7),
        period_end=now,
        subject="x",
        error="x",
    )

    # The territory the world stands on: Toulouse and what holds it.
    o["commune"] = Commune.objects.get(insee="31555")
    o["epci"] = EPCI.objects.get(siren="243100518")
    o["departement"] = Departement.objects.get(code="31")
    o["region"] = Region.objects.get()

    world.logins = {
        "admin": o["admin"],
        "secretariat": o["secretariat"],
        "referent": o["referent"],
        "reviewer": o["reviewer"],
    }
    keep = [person.email for person in world.logins.values()]
    units = [o["commune"], o["epci"], o["departement"], o["region"]]
    poison(world, keep_emails=keep, territory=units)
    for name in list(o):
        if isinstance(o[name], models.Model):
            o[name].refresh_from_db()
    _links_and_mails(world)
    return world


def _links_and_mails(world: World) -> None:
    """E-mails made from the hostile rows, and the secret links they carry."""
    import re

    from django.core import mail

    from crig.events.services.registrations import registration_cancel_link
    from crig.members.services import invitation_create
    from crig.news.services.subscriptions import subscription_unsubscribe_url

    sent = len(mail.outbox)
    invitation_create(
        invited_by=world["referent"],
        email="guest@example.org",
        organisation=world["organisation"],
    )
    world.mails = mail.outbox[sent:]
    world.token = re.search(r"/invitation/([^/\s]+)/", world.mails[0].body).group(1)
    world.cancel_token = (
        registration_cancel_link(world["registration"]).rstrip("/").rsplit("/", 1)[1]
    )
    world.unsubscribe_token = (
        subscription_unsubscribe_url(world["subscription"])
        .rstrip("/")
        .rsplit("/", 1)[1]
    )
