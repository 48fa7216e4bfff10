"""Funding requests in the administration site (secretariat and administrators).

Read-only but for the programmes: every change to a request, a seat, a position
or an opinion goes through the services (state machine, conflicts of interest,
audit trail, notifications), from the pages. An issued opinion is never edited,
not even here: a correction is a new version (``opinion_correct``). The audit
trail is shown as it was written.

The programmes of the signatories are reference data the secretariat keeps in
the admin (a name, a description, open or closed): like an organisation's own
fields in the members admin, they are saved through the ``ModelForm``, the one
exception to "no ORM write outside the services" in this module.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from crig.funding.models import (
    AuditEntry,
    BudgetLine,
    CoFunder,
    FundingRequest,
    Opinion,
    Programme,
    RequestAttachment,
    RequestCommune,
    ReviewerSeat,
    SignatoryPosition,
)


class ReadOnlyMixin:
    """Visible to the staff roles (``members.use_admin``); nothing is written here."""

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("members.use_admin")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Programme)
class ProgrammeAdmin(ObjectPermissionsModelAdminMixin, admin.ModelAdmin):
    list_display = ["name", "signatory", "is_active"]
    list_filter = ["is_active", "signatory"]
    search_fields = ["name", "description"]
    fields = ["signatory", "name", "description", "is_active"]

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("members.use_admin")

    def has_add_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("members.use_admin")

    def has_delete_permission(self, request, obj=None):
        # A programme a request points to is protected by the database anyway;
        # closing it (``is_active``) is the way to retire it.
        return request.user.has_perm("members.use_admin") and not (
            obj is not None and obj.requests.exists()
        )


class RequestCommuneInline(ReadOnlyInline):
    model = RequestCommune
    fields = ["commune", "fraction"]
    readonly_fields = fields


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ["position", "label", "amount"]
    readonly_fields = fields


class CoFunderInline(ReadOnlyInline):
    model = CoFunder
    fields = ["organisation", "name", "amount", "status"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = RequestAttachment
    fields = ["name", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


class ReviewerSeatInline(ReadOnlyInline):
    model = ReviewerSeat
    fields = [
        "signatory",
        "reviewer",
        "conflict",
        "conflict_suggested",
        "conflict_statement",
        "declared_at",
        "assigned_by",
        "reminded_at",
    ]
    readonly_fields = fields


class SignatoryPositionInline(ReadOnlyInline):
    model = SignatoryPosition
    fields = [
        "signatory",
        "position",
        "scores",
        "comments",
        "recorded_by",
        "updated_at",
    ]
    readonly_fields = fields


class OpinionInline(ReadOnlyInline):
    model = Opinion
    fk_name = "request"
    fields = ["version", "verdict", "adopted_on", "issued_at", "published_at"]
    readonly_fields = fields
    show_change_link = True


class AuditEntryInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "actor", "action", "changes"]
    readonly_fields = fields
    ordering = ["at", "pk"]


@admin.register(FundingRequest)
class FundingRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "applicant",
        "signatory",
        "theme",
        "state",
        "amount_requested",
        "submitted_at",
    ]
    list_filter = ["state", "theme", "signatory", "data_licence"]
    search_fields = ["reference", "title", "public_summary", "applicant__name"]
    date_hierarchy = "submitted_at"
    list_select_related = ["applicant", "signatory__organisation"]
    exclude = ["outline"]
    inlines = [
        RequestCommuneInline,
        BudgetLineInline,
        CoFunderInline,
        AttachmentInline,
        ReviewerSeatInline,
        SignatoryPositionInline,
        OpinionInline,
        AuditEntryInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("outline")


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "version",
        "verdict",
        "adoption",
        "adopted_on",
        "issued_at",
        "published_at",
    ]
    list_filter = ["verdict", "adoption", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["request__reference", "request__title", "reasoning"]
    list_select_related = ["request"]
    fieldsets = [
        (None, {"fields": ["request", "version", "supersedes", "correction_note"]}),
        (
            _("Opinion"),
            {
                "fields": [
                    "verdict",
                    "reasoning",
                    "conditions",
                    "adoption",
                    "adopted_on",
                    "meeting_label",
                ]
            },
        ),
        (_("Record"), {"fields": ["positions", "recusals"]}),
        (
            _("Issue and publication"),
            {"fields": ["issued_at", "issued_by", "published_at", "notified_at"]},
        ),
    ]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "request", "actor", "action"]
    list_filter = ["action"]
    search_fields = ["request__reference", "request__title", "action"]
    date_hierarchy = "at"
    list_select_related = ["request", "actor"]
    fields = ["at", "request", "actor", "action", "changes"]
