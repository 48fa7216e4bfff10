"""The permission matrix: for every route, the answer each role must get.

One entry per key of ``routes.all_keys()`` (a page's namespaced URL name, an API
operation ``"METHOD /path"``, or an admin model ``"admin:app.model"``). An entry
says which objects of the world fill the URL's keywords and what each of the eight
roles (``roles.ROLES``) must get, through a named policy. Expected answers:

- an HTTP status (``OK`` 200, ``FORBIDDEN`` 403, ``NOT_FOUND`` 404…);
- ``LOGIN``: a redirect to the sign-in page (``members:login``, with ``next``);
- ``ADMIN_LOGIN``: a redirect to the admin's sign-in page;
- ``REDIRECT``: a redirect anywhere else (a form that sends a signed-in person on).

URL keywords are filled with ``Obj("need.pk")`` (an attribute path in the world,
see ``conftest.build_world``) or a plain string (a literal such as an INSEE code).
Objects are chosen so that the answer means something: a draft need for the pages
only its author may see, CD31's confidential funding request for its file, the
restricted catalogue record for the record pages, a draft plan, a draft meeting, a
members-only news item…

Routes that only accept POST are requested with an empty POST (``method="POST"``);
API operations with their own method and, for writes, an empty JSON object.
"""

from dataclasses import dataclass, field

from tests.security.roles import ROLES

OK = 200
CREATED = 201
REDIRECT = "redirect"
LOGIN = "login"
ADMIN_LOGIN = "admin-login"
BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
CONFLICT = 409
UNPROCESSABLE = 422


@dataclass(frozen=True)
class Obj:
    """An attribute path in the world: ``"need.pk"``, ``"users.member.pk"``."""

    path: str


@dataclass(frozen=True)
class Entry:
    expect: dict
    kwargs: dict = field(default_factory=dict)
    method: str = "GET"
    query: str = ""
    at: str | None = None  # the URL itself, for a pattern without a name
    # The roles allowed to change something; ``None``: every role whose answer
    # is not a refusal. Given where a refusal is a redirect with a message.
    writers: frozenset | None = None


def policy(default, **roles) -> dict:
    """Every role gets ``default`` except those named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: roles.get(role, default) for role in ROLES}


def E(expect, method="GET", query="", at=None, writers=None, **kwargs) -> Entry:  # noqa: N802
    """An entry: ``expect`` a policy, URL keywords as keyword arguments."""
    return Entry(
        expect=expect,
        kwargs=kwargs,
        method=method,
        query=query,
        at=at,
        writers=frozenset(writers) if writers is not None else None,
    )


REFUSALS = (LOGIN, ADMIN_LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED)

STAFF = {"secretariat": OK, "admin": OK}

# Named policies. Administrators are superusers: every rule lets them through,
# drafts of others included; where the secretariat differs, it is said.
PUBLIC = policy(OK)
SIGNED_IN = policy(OK, anonymous=LOGIN)
SECRETARIAT_ONLY = policy(FORBIDDEN, anonymous=LOGIN, **STAFF)
# Hidden (404) from all but the staff: a draft event, a draft round.
STAFF_ELSE_HIDDEN = policy(NOT_FOUND, **STAFF)
# CD31's referent's pages (its organisation, its records) and the staff.
REFERENT_OR_STAFF = policy(FORBIDDEN, anonymous=LOGIN, referent=OK, **STAFF)
# People who belong to an organisation (to express needs, file requests).
IN_AN_ORGANISATION = policy(
    OK, anonymous=LOGIN, reviewer=FORBIDDEN, recused=FORBIDDEN, secretariat=FORBIDDEN
)
# The restricted catalogue record of CD31: its members and the staff.
RESTRICTED_RECORD = policy(NOT_FOUND, member=OK, referent=OK, **STAFF)
# The draft need: its author alone.
DRAFT_NEED = policy(NOT_FOUND, member=OK, admin=OK)
# CD31's confidential funding file: its members, the cleared reviewer, the staff.
FUNDING_FILE = policy(NOT_FOUND, member=OK, referent=OK, reviewer=OK, **STAFF)
# An issued, unpublished opinion: with its file (no reviewer is seated on it).
UNPUBLISHED_OPINION = policy(NOT_FOUND, member=OK, referent=OK, **STAFF)
# The council (signatories' people, including both reviewers, and the staff):
# a draft plan and its actions, a draft meeting, a confidential meeting document.
COUNCIL = policy(NOT_FOUND, reviewer=OK, recused=OK, **STAFF)
COUNCIL_SIGNED_IN = policy(NOT_FOUND, anonymous=LOGIN, reviewer=OK, recused=OK, **STAFF)
# Editors of the plan and of the news: the signatories' people and the staff.
EDITORS = policy(FORBIDDEN, anonymous=LOGIN, reviewer=OK, recused=OK, **STAFF)
# The members-only news item: people of an organisation and the staff.
MEMBERS_ITEM = policy(NOT_FOUND, other=OK, member=OK, referent=OK, **STAFF)
# The admin site: staff only, everyone else to the admin's sign-in.
ADMIN_SITE = policy(ADMIN_LOGIN, **STAFF)
EVERYONE_REDIRECTED = policy(REDIRECT)


PAGES: dict[str, Entry] = {
    # core
    "core:home": E(PUBLIC),
    "core:health": E(PUBLIC),
    "core:about_data": E(PUBLIC),
    "set_language": E(EVERYONE_REDIRECTED, method="POST"),
    # territory
    "territory:index": E(PUBLIC),
    "territory:commune_detail": E(PUBLIC, insee="31555"),
    "territory:epci_detail": E(PUBLIC, siren="243100518"),
    "territory:departement_detail": E(PUBLIC, code="31"),
    # members
    "members:directory": E(PUBLIC),
    "members:organisation_detail": E(PUBLIC, slug=Obj("organisation.slug")),
    "members:organisation_edit": E(REFERENT_OR_STAFF, slug=Obj("organisation.slug")),
    "members:invitation_create": E(REFERENT_OR_STAFF, slug=Obj("organisation.slug")),
    "members:membership_change": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            referent=REDIRECT,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        slug=Obj("organisation.slug"),
        person_id=Obj("users.member.pk"),
    ),
    "members:invitation_accept": E(PUBLIC, token=Obj("invitation_token")),
    "members:account": E(SIGNED_IN),
    "members:account_export": E(SIGNED_IN),
    "members:account_close": E(SIGNED_IN),
    "members:api_token_create": E(policy(BAD_REQUEST, anonymous=LOGIN), method="POST"),
    # Someone else's token: a message and back to the account, nothing revoked.
    "members:api_token_revoke": E(
        policy(REDIRECT, anonymous=LOGIN),
        method="POST",
        writers={"member", "admin"},
        token_id=Obj("api_token.pk"),
    ),
    "members:login": E(policy(REDIRECT, anonymous=OK)),
    "members:logout": E(EVERYONE_REDIRECTED, method="POST"),
    "members:password_reset": E(PUBLIC),
    "members:password_reset_done": E(PUBLIC),
    "members:password_reset_confirm": E(
        EVERYONE_REDIRECTED, uidb64=Obj("reset_uid"), token=Obj("reset_token")
    ),
    "members:password_reset_complete": E(PUBLIC),
    # catalog
    "catalog:search": E(PUBLIC),
    "catalog:dataset_create": E(REFERENT_OR_STAFF),
    "catalog:dataset_detail": E(RESTRICTED_RECORD, pk=Obj("restricted_dataset.pk")),
    "catalog:dataset_edit": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=FORBIDDEN, referent=OK, **STAFF),
        pk=Obj("restricted_dataset.pk"),
    ),
    # The harvested document as received: the staff's.
    "catalog:provenance_document": E(
        STAFF_ELSE_HIDDEN,
        pk=Obj("restricted_dataset.pk"),
        provenance_pk=Obj("provenance.pk"),
    ),
    "catalog:coverage_index": E(PUBLIC),
    "catalog:coverage_referentiel": E(PUBLIC, referentiel="orthophotographie"),
    # needs
    "needs:list": E(PUBLIC),
    "needs:heatmap": E(PUBLIC),
    "needs:create": E(IN_AN_ORGANISATION),
    "needs:detail": E(DRAFT_NEED, pk=Obj("draft_need.pk")),
    "needs:edit": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=OK, admin=OK),
        pk=Obj("draft_need.pk"),
    ),
    "needs:submit": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=REDIRECT, admin=REDIRECT),
        method="POST",
        pk=Obj("draft_need.pk"),
    ),
    "needs:delete": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=REDIRECT, admin=REDIRECT),
        method="POST",
        pk=Obj("draft_need.pk"),
    ),
    # Supported by another organisation than the need's (UM), once.
    "needs:support": E(
        policy(FORBIDDEN, anonymous=LOGIN, other=OK, admin=OK),
        pk=Obj("need_to_support.pk"),
    ),
    "needs:support_edit": E(
        policy(FORBIDDEN, anonymous=LOGIN, other=OK, **STAFF),
        pk=Obj("need.pk"),
        support_pk=Obj("support.pk"),
    ),
    "needs:support_withdraw": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            other=REDIRECT,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("need.pk"),
        support_pk=Obj("support.pk"),
    ),
    "needs:decide": E(SECRETARIAT_ONLY, pk=Obj("need.pk")),
    "needs:merge": E(SECRETARIAT_ONLY, pk=Obj("need.pk")),
    "needs:split": E(SECRETARIAT_ONLY, pk=Obj("need.pk")),
    "needs:attachment_add": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=REDIRECT, admin=REDIRECT),
        method="POST",
        pk=Obj("draft_need.pk"),
    ),
    "needs:attachment_download": E(
        DRAFT_NEED,
        pk=Obj("draft_need.pk"),
        attachment_pk=Obj("draft_need_attachment.pk"),
    ),
    "needs:attachment_remove": E(
        policy(NOT_FOUND, anonymous=LOGIN, member=REDIRECT, admin=REDIRECT),
        method="POST",
        pk=Obj("draft_need.pk"),
        attachment_pk=Obj("draft_need_attachment.pk"),
    ),
    "needs:priorities": E(PUBLIC),
    "needs:weights_edit": E(SECRETARIAT_ONLY),
    "needs:round_list": E(PUBLIC),
    "needs:round_create": E(SECRETARIAT_ONLY),
    "needs:round_detail": E(STAFF_ELSE_HIDDEN, pk=Obj("draft_round.pk")),
    "needs:round_edit": E(SECRETARIAT_ONLY, pk=Obj("draft_round.pk")),
    # funding
    "funding:list": E(SIGNED_IN),
    "funding:create": E(IN_AN_ORGANISATION),
    "funding:detail": E(FUNDING_FILE, pk=Obj("funding_request.pk")),
    "funding:edit": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=OK,
            referent=OK,
            secretariat=FORBIDDEN,
            admin=OK,
        ),
        pk=Obj("draft_request.pk"),
    ),
    "funding:submit": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=REDIRECT,
            referent=REDIRECT,
            secretariat=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        method="POST",
        pk=Obj("draft_request.pk"),
    ),
    "funding:withdraw": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=OK,
            referent=OK,
            reviewer=FORBIDDEN,
            **STAFF,
        ),
        pk=Obj("funding_request.pk"),
    ),
    "funding:admissibility": E(
        policy(
            NOT_FOUND, anonymous=LOGIN, member=FORBIDDEN, referent=FORBIDDEN, **STAFF
        ),
        pk=Obj("submitted_request.pk"),
    ),
    "funding:assign": E(
        policy(
            NOT_FOUND, anonymous=LOGIN, member=FORBIDDEN, referent=FORBIDDEN, **STAFF
        ),
        pk=Obj("second_request.pk"),
    ),
    "funding:unassign": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=FORBIDDEN,
            referent=FORBIDDEN,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        seat_pk=Obj("undeclared_seat.pk"),
    ),
    "funding:start_review": E(
        policy(
            NOT_FOUND, anonymous=LOGIN, member=FORBIDDEN, referent=FORBIDDEN, **STAFF
        ),
        pk=Obj("second_request.pk"),
    ),
    # The seat holder's declaration form.
    "funding:declare": E(
        policy(NOT_FOUND, anonymous=LOGIN, reviewer=OK),
        seat_pk=Obj("undeclared_seat.pk"),
    ),
    # The cleared reviewer alone records the signatory's position.
    "funding:position": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            other=NOT_FOUND,
            reviewer=OK,
            recused=NOT_FOUND,
        ),
        pk=Obj("funding_request.pk"),
    ),
    "funding:opinion_issue": E(
        policy(FORBIDDEN, anonymous=LOGIN, other=NOT_FOUND, recused=NOT_FOUND, **STAFF),
        pk=Obj("funding_request.pk"),
    ),
    "funding:opinion_publish": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=FORBIDDEN,
            referent=FORBIDDEN,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("opinion.pk"),
    ),
    "funding:opinion_correct": E(
        policy(
            NOT_FOUND, anonymous=LOGIN, member=FORBIDDEN, referent=FORBIDDEN, **STAFF
        ),
        pk=Obj("opinion.pk"),
    ),
    "funding:attachment_add": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=REDIRECT,
            referent=REDIRECT,
            secretariat=FORBIDDEN,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("draft_request.pk"),
    ),
    "funding:attachment_download": E(
        FUNDING_FILE,
        pk=Obj("funding_request.pk"),
        attachment_pk=Obj("request_attachment.pk"),
    ),
    "funding:attachment_remove": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            member=REDIRECT,
            referent=REDIRECT,
            secretariat=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        method="POST",
        pk=Obj("draft_request.pk"),
        attachment_pk=Obj("draft_request_attachment.pk"),
    ),
    "funding:register": E(PUBLIC),
    "funding:opinion_detail": E(UNPUBLISHED_OPINION, pk=Obj("opinion.pk")),
    # action plan: the draft 2025 plan unless said
    "actionplan:index": E(EVERYONE_REDIRECTED),
    "actionplan:plan_create": E(EDITORS),
    "actionplan:plan_detail": E(COUNCIL, year=Obj("draft_plan.year")),
    "actionplan:plan_edit": E(COUNCIL_SIGNED_IN, year=Obj("draft_plan.year")),
    "actionplan:plan_publish": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            reviewer=REDIRECT,
            recused=REDIRECT,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        year=Obj("draft_plan.year"),
    ),
    "actionplan:plan_roll_over": E(COUNCIL_SIGNED_IN, year=Obj("draft_plan.year")),
    "actionplan:export": E(COUNCIL, year=Obj("draft_plan.year"), fmt="csv"),
    "actionplan:action_create": E(COUNCIL_SIGNED_IN, year=Obj("draft_plan.year")),
    "actionplan:action_detail": E(COUNCIL, pk=Obj("draft_action.pk")),
    "actionplan:action_edit": E(COUNCIL_SIGNED_IN, pk=Obj("draft_action.pk")),
    "actionplan:action_links": E(COUNCIL_SIGNED_IN, pk=Obj("draft_action.pk")),
    # The published action led by CD31: its members post updates, the editors too.
    "actionplan:update_add": E(
        policy(BAD_REQUEST, anonymous=LOGIN, other=FORBIDDEN),
        method="POST",
        pk=Obj("action.pk"),
    ),
    "actionplan:update_attachment": E(
        COUNCIL, pk=Obj("draft_action.pk"), update_pk=Obj("draft_update.pk")
    ),
    "actionplan:milestone_done": E(
        policy(REDIRECT, anonymous=LOGIN, other=FORBIDDEN),
        method="POST",
        pk=Obj("action.pk"),
        milestone_pk=Obj("milestone.pk"),
    ),
    "actionplan:indicator_set": E(
        policy(BAD_REQUEST, anonymous=LOGIN, other=FORBIDDEN),
        method="POST",
        pk=Obj("action.pk"),
        indicator_pk=Obj("indicator.pk"),
    ),
    "actionplan:report": E(COUNCIL, year=Obj("draft_plan.year")),
    "actionplan:report_pdf": E(COUNCIL, year=Obj("draft_plan.year")),
    # events
    "events:registration_cancel": E(PUBLIC, token=Obj("cancel_token")),
    "events:event_register": E(PUBLIC, slug=Obj("event.slug")),
    "events:event_registered": E(EVERYONE_REDIRECTED, slug=Obj("event.slug")),
    "events:meeting_list": E(PUBLIC),
    "events:meeting_detail": E(COUNCIL, pk=Obj("draft_meeting.pk")),
    "events:meeting_document": E(
        COUNCIL, pk=Obj("meeting.pk"), document_pk=Obj("confidential_document.pk")
    ),
    "events:meeting_ics": E(COUNCIL, pk=Obj("draft_meeting.pk")),
    "events:event_list": E(PUBLIC),
    "events:event_detail": E(STAFF_ELSE_HIDDEN, slug=Obj("draft_event.slug")),
    "events:event_ics": E(STAFF_ELSE_HIDDEN, slug=Obj("draft_event.slug")),
    "events:calendar": E(PUBLIC),
    "events:event_checkin": E(SECRETARIAT_ONLY, slug=Obj("event.slug")),
    "events:event_checkin_toggle": E(
        policy(FORBIDDEN, anonymous=LOGIN, secretariat=REDIRECT, admin=REDIRECT),
        method="POST",
        slug=Obj("event.slug"),
        registration_pk=Obj("registration.pk"),
    ),
    "events:event_checkin_print": E(SECRETARIAT_ONLY, slug=Obj("event.slug")),
    "events:event_export": E(SECRETARIAT_ONLY, slug=Obj("event.slug"), fmt="csv"),
    "events:event_stats": E(STAFF_ELSE_HIDDEN, slug=Obj("draft_event.slug")),
    "events:event_stats_export": E(
        STAFF_ELSE_HIDDEN, slug=Obj("draft_event.slug"), fmt="csv"
    ),
    # news
    "news:list": E(PUBLIC),
    "news:create": E(EDITORS),
    "news:editorial": E(EDITORS),
    "news:detail": E(MEMBERS_ITEM, pk=Obj("members_item.pk")),
    "news:edit": E(
        policy(
            FORBIDDEN, anonymous=LOGIN, reviewer=NOT_FOUND, recused=NOT_FOUND, **STAFF
        ),
        pk=Obj("members_item.pk"),
    ),
    # The secretariat's draft: its author submits it, any editor may publish it.
    "news:submit": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            reviewer=FORBIDDEN,
            recused=FORBIDDEN,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("draft_item.pk"),
    ),
    "news:publish": E(
        policy(
            NOT_FOUND,
            anonymous=LOGIN,
            reviewer=REDIRECT,
            recused=REDIRECT,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("draft_item.pk"),
    ),
    "news:unpublish": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            reviewer=NOT_FOUND,
            recused=NOT_FOUND,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("members_item.pk"),
    ),
    "news:attachment_add": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            reviewer=NOT_FOUND,
            recused=NOT_FOUND,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        pk=Obj("members_item.pk"),
    ),
    "news:attachment_download": E(
        MEMBERS_ITEM, attachment_id=Obj("members_attachment.pk")
    ),
    "news:attachment_remove": E(
        policy(
            FORBIDDEN,
            anonymous=LOGIN,
            reviewer=NOT_FOUND,
            recused=NOT_FOUND,
            secretariat=REDIRECT,
            admin=REDIRECT,
        ),
        method="POST",
        attachment_id=Obj("members_attachment.pk"),
    ),
    "news:subscriptions": E(SIGNED_IN),
    "news:digest_preview": E(SIGNED_IN),
    "news:unsubscribe": E(PUBLIC, token=Obj("subscription.token")),
    "news:relay": E(EDITORS),
    "news:feed": E(PUBLIC),
    "news:feed_theme": E(PUBLIC, theme="pcrs"),
    "news:feed_territory": E(PUBLIC, code="31"),
    # catalogue standards
    "standards:csw": E(PUBLIC, query="service=CSW&request=GetCapabilities"),
    "standards:ogcapi_landing": E(PUBLIC),
    "standards:ogcapi_conformance": E(PUBLIC),
    "standards:ogcapi_collections": E(PUBLIC),
    "standards:ogcapi_collection": E(PUBLIC, collection_id="catalog"),
    "standards:ogcapi_items": E(PUBLIC, collection_id="catalog"),
    "standards:ogcapi_item": E(
        RESTRICTED_RECORD,
        collection_id="catalog",
        identifier=Obj("restricted_dataset.identifier"),
    ),
    "standards:dcat_ttl": E(PUBLIC),
    "standards:dcat_rdf": E(PUBLIC),
    "standards:dcat_jsonld": E(PUBLIC),
    # API pages that are not operations
    "api:openapi-json": E(PUBLIC),
    "api:openapi-view": E(PUBLIC),
    "api:api-root": E(policy(NOT_FOUND)),
    # Any other path under /api/v1/: a JSON 404 for everyone.
    "api:unknown_path": E(policy(NOT_FOUND), rest="nowhere"),
    # admin, site-wide
    "admin:index": E(ADMIN_SITE),
    "admin:login": E(policy(OK, secretariat=REDIRECT, admin=REDIRECT)),
    "admin:logout": E(EVERYONE_REDIRECTED, method="POST"),
    "admin:password_change": E(ADMIN_SITE),
    "admin:password_change_done": E(ADMIN_SITE),
    # Without the field it completes: refused even to the staff.
    "admin:autocomplete": E(
        policy(ADMIN_LOGIN, secretariat=FORBIDDEN, admin=FORBIDDEN)
    ),
    "admin:jsi18n": E(ADMIN_SITE),
    "admin:view_on_site": E(
        policy(ADMIN_LOGIN, secretariat=REDIRECT, admin=REDIRECT),
        content_type_id=Obj("organisation_type.pk"),
        object_id=Obj("organisation.pk"),
    ),
    "admin:app_list": E(ADMIN_SITE, app_label="members"),
    "admin:admin/(?P<url>.*)$": E(
        policy(ADMIN_LOGIN, secretariat=NOT_FOUND, admin=NOT_FOUND),
        at="/admin/nowhere/",
    ),
}

API_SIGNED_IN = policy(OK, anonymous=UNAUTHORIZED)
# A write with an empty body, by anyone signed in: refused as invalid.
API_INVALID_WRITE = policy(UNPROCESSABLE, anonymous=UNAUTHORIZED)

API: dict[str, Entry] = {
    "GET /api/v1/communes": E(PUBLIC),
    "GET /api/v1/communes/at": E(PUBLIC, query="lon=1.44&lat=43.6"),
    "POST /api/v1/communes/coverage": E(policy(UNPROCESSABLE)),
    "GET /api/v1/communes/{insee}": E(PUBLIC, insee="31555"),
    "GET /api/v1/epci": E(PUBLIC),
    "GET /api/v1/epci/{siren}": E(PUBLIC, siren="243100518"),
    "GET /api/v1/departements": E(PUBLIC),
    "GET /api/v1/departements/{code}": E(PUBLIC, code="31"),
    "GET /api/v1/region": E(PUBLIC),
    "GET /api/v1/organisations": E(PUBLIC),
    "GET /api/v1/organisations/{organisation_id}": E(
        PUBLIC, organisation_id=Obj("organisation.pk")
    ),
    "GET /api/v1/organisations/{organisation_id}/perimeter": E(
        PUBLIC, organisation_id=Obj("organisation.pk")
    ),
    "GET /api/v1/signatories": E(PUBLIC),
    "GET /api/v1/me": E(API_SIGNED_IN),
    "GET /api/v1/datasets": E(PUBLIC),
    "GET /api/v1/datasets/{dataset_id}": E(
        RESTRICTED_RECORD, dataset_id=Obj("restricted_dataset.pk")
    ),
    "GET /api/v1/datasets/{dataset_id}/communes": E(
        RESTRICTED_RECORD, dataset_id=Obj("restricted_dataset.pk")
    ),
    "GET /api/v1/communes/{insee}/coverage": E(PUBLIC, insee="31555"),
    "GET /api/v1/coverage/{referentiel}": E(PUBLIC, referentiel="orthophotographie"),
    "GET /api/v1/needs": E(PUBLIC),
    "POST /api/v1/needs": E(API_INVALID_WRITE),
    "GET /api/v1/needs/heatmap": E(PUBLIC),
    "GET /api/v1/needs/{need_id}": E(DRAFT_NEED, need_id=Obj("draft_need.pk")),
    # All fields optional: the author's empty change is a change.
    "PATCH /api/v1/needs/{need_id}": E(
        policy(NOT_FOUND, anonymous=UNAUTHORIZED, member=OK, admin=OK),
        need_id=Obj("draft_need.pk"),
    ),
    "GET /api/v1/needs/{need_id}/supports": E(PUBLIC, need_id=Obj("need.pk")),
    # Every field optional: UM supports CD31's need; nobody else may.
    "POST /api/v1/needs/{need_id}/supports": E(
        policy(FORBIDDEN, anonymous=UNAUTHORIZED, other=CREATED),
        need_id=Obj("need_to_support.pk"),
    ),
    "GET /api/v1/needs/scores": E(PUBLIC),
    "GET /api/v1/needs/weights": E(PUBLIC),
    "GET /api/v1/rounds": E(PUBLIC),
    "GET /api/v1/rounds/{round_id}": E(
        STAFF_ELSE_HIDDEN, round_id=Obj("draft_round.pk")
    ),
    # A round in preparation has no ranking yet.
    "GET /api/v1/rounds/{round_id}/ranking": E(
        policy(NOT_FOUND, secretariat=CONFLICT, admin=CONFLICT),
        round_id=Obj("draft_round.pk"),
    ),
    "POST /api/v1/rounds/{round_id}/ballots": E(
        API_INVALID_WRITE, round_id=Obj("draft_round.pk")
    ),
    "GET /api/v1/funding-requests": E(PUBLIC),
    "POST /api/v1/funding-requests": E(API_INVALID_WRITE),
    "GET /api/v1/funding-requests/{request_id}": E(
        FUNDING_FILE, request_id=Obj("funding_request.pk")
    ),
    "POST /api/v1/funding-requests/{request_id}/submit": E(
        policy(
            NOT_FOUND,
            anonymous=UNAUTHORIZED,
            member=OK,
            referent=OK,
            secretariat=FORBIDDEN,
            admin=FORBIDDEN,
        ),
        request_id=Obj("draft_request.pk"),
    ),
    "GET /api/v1/opinions": E(PUBLIC),
    "GET /api/v1/opinions/{opinion_id}": E(
        UNPUBLISHED_OPINION, opinion_id=Obj("opinion.pk")
    ),
    "GET /api/v1/plans": E(PUBLIC),
    "GET /api/v1/plans/{year}": E(COUNCIL, year=Obj("draft_plan.year")),
    "GET /api/v1/actions/{action_id}": E(COUNCIL, action_id=Obj("draft_action.pk")),
    "GET /api/v1/meetings": E(PUBLIC),
    "GET /api/v1/meetings/{meeting_id}": E(COUNCIL, meeting_id=Obj("draft_meeting.pk")),
    "GET /api/v1/events": E(PUBLIC),
    "GET /api/v1/events/{event_id}": E(
        STAFF_ELSE_HIDDEN, event_id=Obj("draft_event.pk")
    ),
    "GET /api/v1/events/{event_id}/place": E(
        STAFF_ELSE_HIDDEN, event_id=Obj("draft_event.pk")
    ),
    "GET /api/v1/events/{event_id}/stats": E(
        STAFF_ELSE_HIDDEN, event_id=Obj("draft_event.pk")
    ),
    "GET /api/v1/events/{event_id}/stats/departements": E(
        STAFF_ELSE_HIDDEN, event_id=Obj("draft_event.pk")
    ),
    # Registering is open to anyone, signed in or not.
    "POST /api/v1/events/{event_id}/registrations": E(
        policy(UNPROCESSABLE), event_id=Obj("event.pk")
    ),
    "GET /api/v1/events/{event_id}/registrations": E(
        policy(FORBIDDEN, **STAFF), event_id=Obj("event.pk")
    ),
    "GET /api/v1/news": E(PUBLIC),
    "GET /api/v1/news/{item_id}": E(MEMBERS_ITEM, item_id=Obj("members_item.pk")),
    "GET /api/v1/me/subscriptions": E(API_SIGNED_IN),
    # Every field optional: an empty body is a subscription to the defaults.
    "PUT /api/v1/me/subscriptions": E(API_SIGNED_IN),
}

MATRIX = {**PAGES, **API}


# The admin, model by model. The six people without a staff account are sent to
# the admin's sign-in on every URL; the secretariat and administrators get the
# answers below per URL family. ``object`` is the shortcut ``<id>/`` that
# redirects to the change page.
ADMIN_FAMILIES = ("changelist", "add", "change", "delete", "history", "object")


def admin_access(*, refused=(), extra=None) -> dict:
    """Family → answer: OK everywhere but the ``refused`` families (403); an
    extra URL of the model's admin is named by its URL name (without ``admin:``)."""
    answers = {family: OK for family in ADMIN_FAMILIES}
    answers["object"] = REDIRECT
    for family in refused:
        answers[family] = FORBIDDEN
    return {**answers, **(extra or {})}


FULL = admin_access()
READ_ONLY = admin_access(refused=("add", "delete"))
NONE = admin_access(refused=("changelist", "add", "change", "delete", "history"))


@dataclass(frozen=True)
class AdminEntry:
    secretariat: dict
    admin: dict = field(default_factory=lambda: FULL)
    obj: Obj | None = None  # the object of the change pages; default: the first


ADMIN: dict[str, AdminEntry] = {
    "admin:core.sitetext": AdminEntry(FULL),
    # Territory: loaded from official files, never edited by hand.
    "admin:territory.region": AdminEntry(NONE, READ_ONLY),
    "admin:territory.departement": AdminEntry(NONE, READ_ONLY),
    "admin:territory.epci": AdminEntry(NONE, READ_ONLY),
    "admin:territory.commune": AdminEntry(NONE, READ_ONLY),
    "admin:auth.group": AdminEntry(NONE),
    "admin:members.organisation": AdminEntry(admin_access(refused=("delete",))),
    "admin:members.membership": AdminEntry(FULL),
    "admin:members.convention": AdminEntry(FULL),
    "admin:members.signatory": AdminEntry(FULL),
    "admin:members.reviewerassignment": AdminEntry(FULL),
    "admin:members.invitation": AdminEntry(admin_access(refused=("add",))),
    "admin:members.apitoken": AdminEntry(NONE),
    # The secretariat edits ordinary accounts (the member's), not creates them.
    "admin:members.user": AdminEntry(
        admin_access(
            refused=("add", "delete"), extra={"auth_user_password_change": OK}
        ),
        admin_access(extra={"auth_user_password_change": OK}),
        obj=Obj("users.member.pk"),
    ),
    "admin:catalog.harvestsource": AdminEntry(FULL),
    "admin:catalog.harvestrun": AdminEntry(READ_ONLY, admin_access(refused=("add",))),
    "admin:catalog.dataset": AdminEntry(FULL),
    "admin:catalog.duplicatecandidate": AdminEntry(READ_ONLY, READ_ONLY),
    # Written by the services only: read in the admin.
    "admin:needs.need": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:needs.support": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:needs.needevent": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:needs.scoringweights": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:needs.round": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:funding.programme": AdminEntry(FULL),
    "admin:funding.fundingrequest": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:funding.opinion": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:funding.auditentry": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:actionplan.plan": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:actionplan.action": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:actionplan.progressupdate": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:actionplan.actionchange": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:events.meeting": AdminEntry(FULL),
    "admin:events.event": AdminEntry(FULL),
    "admin:events.registration": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:events.personaldataexport": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:news.newsitem": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:news.subscription": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:news.delivery": AdminEntry(READ_ONLY, READ_ONLY),
    "admin:django_tasks_database.dbtaskresult": AdminEntry(NONE, READ_ONLY),
    # Login lockout records (django-axes): the administrators'.
    "admin:axes.accessattempt": AdminEntry(NONE, admin_access(refused=("add",))),
    "admin:axes.accesslog": AdminEntry(NONE, admin_access(refused=("add",))),
    "admin:axes.accessfailurelog": AdminEntry(NONE, admin_access(refused=("add",))),
}


def admin_expectation(key: str, family: str) -> dict:
    """Role → answer for one URL family of one admin model."""
    entry = ADMIN[key]
    return policy(
        ADMIN_LOGIN,
        secretariat=entry.secretariat[family],
        admin=entry.admin[family],
    )
