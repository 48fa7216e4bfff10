"""Needs in the administration site (secretariat and administrators), read-only.

Every change to a need goes through the services (history, consolidated territory,
notifications), from the pages the secretariat uses (decision, merge, split,
weights, rounds); the admin is where the secretariat looks things up: the needs
with their communes, supports, history and attachments, the supports, the
history, the published weights and the rounds with their ballots. Drafts stay
their authors' (only administrators see them, as everywhere).
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crig.needs.models import (
    Ballot,
    Need,
    NeedAttachment,
    NeedCommune,
    NeedEvent,
    Round,
    ScoringWeights,
    Support,
)
from crig.needs.selectors.needs import needs_visible_to


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


class NeedCommuneInline(ReadOnlyInline):
    model = NeedCommune
    fields = ["commune", "fraction"]
    readonly_fields = fields
    verbose_name = _("commune")
    verbose_name_plural = _("communes of the need's own territory")


class SupportInline(ReadOnlyInline):
    model = Support
    fields = [
        "organisation",
        "author",
        "comment",
        "cofunding_min",
        "cofunding_max",
        "territory_description",
        "area_km2",
        "created_at",
    ]
    readonly_fields = fields
    show_change_link = True


class NeedEventInline(ReadOnlyInline):
    model = NeedEvent
    fk_name = "need"
    fields = [
        "created_at",
        "kind",
        "actor",
        "from_state",
        "to_state",
        "message",
        "related_need",
        "notified_at",
    ]
    readonly_fields = fields


class NeedAttachmentInline(ReadOnlyInline):
    model = NeedAttachment
    fields = ["name", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "organisation",
        "theme",
        "state",
        "plan_fit",
        "supporter_count",
        "consolidated_population",
        "submitted_at",
    ]
    list_filter = [
        "state",
        "theme",
        "plan_fit",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "description", "organisation__name"]
    date_hierarchy = "submitted_at"
    list_select_related = ["organisation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_page",
                    "title",
                    "description",
                    "theme",
                    "organisation",
                    "author",
                    "contact",
                ]
            },
        ),
        (
            _("Request"),
            {
                "fields": [
                    "precision",
                    "resolution_m",
                    "horizon",
                    "intended_use",
                    "cofunding_min",
                    "cofunding_max",
                ]
            },
        ),
        (
            _("Decision"),
            {
                "fields": [
                    "state",
                    "plan_fit",
                    "public_answer",
                    "submitted_at",
                    "state_changed_at",
                    "merged_into",
                    "split_from",
                ]
            },
        ),
        (
            _("Territory"),
            {
                "fields": [
                    "territory_description",
                    "area_km2",
                    "population",
                    "commune_count",
                    "consolidated_area_km2",
                    "consolidated_population",
                    "supporter_count",
                ]
            },
        ),
    ]
    readonly_fields = [
        "public_page",
        "title",
        "description",
        "theme",
        "organisation",
        "author",
        "contact",
        "precision",
        "resolution_m",
        "horizon",
        "intended_use",
        "cofunding_min",
        "cofunding_max",
        "state",
        "plan_fit",
        "public_answer",
        "submitted_at",
        "state_changed_at",
        "merged_into",
        "split_from",
        "territory_description",
        "area_km2",
        "population",
        "commune_count",
        "consolidated_area_km2",
        "consolidated_population",
        "supporter_count",
    ]
    inlines = [SupportInline, NeedCommuneInline, NeedAttachmentInline, NeedEventInline]

    def get_queryset(self, request):
        return needs_visible_to(request.user).select_related("organisation")

    @admin.display(description=_("supporting organisations"))
    def supporter_count(self, need):
        return need.supports.count() + 1

    @admin.display(description=_("communes"))
    def commune_count(self, need):
        return need.commune_links.count()

    @admin.display(description=_("public page"))
    def public_page(self, need):
        return format_html(
            '<a href="{}">{}</a>', need.get_absolute_url(), _("Open the need's page")
        )


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ["need", "organisation", "author", "cofunding_max", "created_at"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "need__theme"]
    search_fields = ["need__title", "organisation__name", "comment"]
    list_select_related = ["need", "organisation", "author"]
    fields = [
        "need",
        "organisation",
        "author",
        "comment",
        "cofunding_min",
        "cofunding_max",
        "territory_description",
        "area_km2",
        "population",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(need__in=needs_visible_to(request.user).values("pk"))
        )


@admin.register(NeedEvent)
class NeedEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "need",
        "kind",
        "actor",
        "from_state",
        "to_state",
        "notified_at",
    ]
    list_filter = ["kind", "to_state"]
    search_fields = ["need__title", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["need", "actor"]
    fields = [
        "need",
        "kind",
        "actor",
        "from_state",
        "to_state",
        "message",
        "related_need",
        "created_at",
        "notified_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(need__in=needs_visible_to(request.user).values("pk"))
        )


@admin.register(ScoringWeights)
class ScoringWeightsAdmin(ReadOnlyAdmin):
    list_display = ["created_at", *ScoringWeights.CRITERIA, "published_by"]
    fields = [*ScoringWeights.CRITERIA, "note", "published_by", "created_at"]
    readonly_fields = fields


class BallotInline(ReadOnlyInline):
    model = Ballot
    fields = ["organisation", "cast_by", "ranking", "updated_at"]
    readonly_fields = fields


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "state", "opened_at", "closed_at"]
    list_filter = ["year", "state"]
    search_fields = ["title"]
    fields = [
        "title",
        "year",
        "description",
        "state",
        "needs",
        "closes_at",
        "created_by",
        "opened_at",
        "closed_at",
        "result",
    ]
    readonly_fields = fields
    inlines = [BallotInline]
