"""The catalogue in the administration site (secretariat and administrators).

Sources are managed here ("harvest now" queues a run); runs are read-only with their
report; datasets are read-mostly (what a harvest wrote is overwritten by the next
one) with their provenances and verbatim documents; possible duplicates are merged
or kept apart through the services. Permissions come from ``catalog/rules.py``.
"""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from crig.catalog.models import (
    Dataset,
    Distribution,
    DuplicateCandidate,
    HarvestRun,
    HarvestSource,
    Keyword,
    Provenance,
)
from crig.catalog.services.harvest import harvest_start
from crig.catalog.services.records import dataset_merge, duplicate_mark_distinct
from crig.core.errors import CrigError
from crig.members.admin import RulesAdmin


@admin.register(HarvestSource)
class HarvestSourceAdmin(RulesAdmin):
    list_display = ["name", "title", "kind", "schedule", "next_run_at", "is_enabled"]
    list_filter = ["kind", "schedule", "is_enabled"]
    search_fields = ["name", "title", "url"]
    autocomplete_fields = ["platform"]
    actions = ["harvest_now"]

    @admin.action(description=_("Harvest now"), permissions=["run_harvest"])
    def harvest_now(self, request, queryset):
        started = 0
        for source in queryset:
            try:
                harvest_start(source=source, by=request.user)
            except CrigError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                return
            started += 1
        self.message_user(
            request,
            ngettext("%(count)d harvest queued.", "%(count)d harvests queued.", started)
            % {"count": started},
            messages.SUCCESS,
        )

    def has_run_harvest_permission(self, request):
        return request.user.has_perm("catalog.run_harvest")


@admin.register(HarvestRun)
class HarvestRunAdmin(RulesAdmin):
    list_display = [
        "__str__",
        "started_at",
        "finished_at",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "withdrawn_count",
        "failed_count",
    ]
    list_filter = ["status", "source"]
    readonly_fields = [
        "source",
        "label",
        "status",
        "started_at",
        "finished_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "withdrawn_count",
        "failed_count",
        "error",
        "report_display",
        "triggered_by",
    ]
    exclude = ["report"]

    @admin.display(description=_("report"))
    def report_display(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.report, indent=2, ensure_ascii=False)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ObjectPermissionsModelAdminMixin, admin.TabularInline):
    """Rows that belong to a dataset: seen by whoever may see the dataset."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("catalog.view_dataset", obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProvenanceInline(ReadOnlyInline):
    model = Provenance
    fields = [
        "origin",
        "remote_identifier",
        "document_format",
        "first_seen_at",
        "last_seen_at",
        "withdrawn_at",
        "document_display",
    ]
    readonly_fields = fields

    @admin.display(description=_("source document (verbatim)"))
    def document_display(self, obj):
        return format_html(
            '<details><summary>{}</summary><pre style="max-height:30em;overflow:auto">'
            "{}</pre></details>",
            _("Show"),
            obj.document,
        )


class KeywordInline(ReadOnlyInline):
    model = Keyword
    fields = ["kind", "code", "label", "thesaurus"]
    readonly_fields = fields


class DistributionInline(ReadOnlyInline):
    model = Distribution
    fields = ["kind", "url", "name", "title", "media_type", "protocol"]
    readonly_fields = fields


@admin.register(Dataset)
class DatasetAdmin(RulesAdmin):
    list_display = [
        "title",
        "producer_name",
        "referentiel",
        "year",
        "status",
        "visibility",
    ]
    list_filter = ["referentiel", "status", "visibility", "is_demo", "level"]
    search_fields = ["title", "identifier", "resource_identifier", "producer_name"]
    autocomplete_fields = ["producer"]
    inlines = [ProvenanceInline, KeywordInline, DistributionInline]
    # What the catalogue decides; the rest is written by harvests (and manual
    # records are edited in the catalogue's own pages).
    editable = {"producer", "referentiel", "visibility", "status", "is_demo"}

    def get_readonly_fields(self, request, obj=None):
        return [
            field.name
            for field in Dataset._meta.fields
            if field.name not in self.editable and field.name != "id"
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The référentiel's words and the producer organisation's name are part of
        # the search text; reindexing also refreshes the facet snapshot.
        from crig.catalog.search.index import dataset_index

        dataset_index([obj.pk])


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(RulesAdmin):
    list_display = ["dataset", "other", "score", "status", "decided_by"]
    list_filter = ["status"]
    readonly_fields = ["dataset", "other", "score", "reasons", "status", "decided_by"]
    actions = ["merge", "keep_apart"]

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(
            request
        ) and self.has_manage_duplicates_permission(request)

    def has_change_permission(self, request, obj=None):
        # The pair's fields are read-only; "change" lets the actions run.
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_manage_duplicates_permission(self, request):
        return request.user.has_perm("catalog.manage_duplicates")

    @admin.action(
        description=_("Merge (keep the first record)"),
        permissions=["manage_duplicates"],
    )
    def merge(self, request, queryset):
        merged = 0
        for candidate in queryset.select_related("dataset", "other"):
            try:
                dataset_merge(
                    keep=candidate.dataset, other=candidate.other, by=request.user
                )
            except (CrigError, Dataset.DoesNotExist) as exc:
                self.message_user(
                    request, str(getattr(exc, "message", exc)), messages.ERROR
                )
                continue
            merged += 1
        self.message_user(
            request,
            ngettext("%(count)d pair merged.", "%(count)d pairs merged.", merged)
            % {"count": merged},
            messages.SUCCESS,
        )

    @admin.action(description=_("Keep apart"), permissions=["manage_duplicates"])
    def keep_apart(self, request, queryset):
        kept = 0
        for candidate in queryset:
            try:
                duplicate_mark_distinct(candidate=candidate, by=request.user)
            except CrigError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                continue
            kept += 1
        self.message_user(
            request,
            ngettext("%(count)d pair kept apart.", "%(count)d pairs kept apart.", kept)
            % {"count": kept},
            messages.SUCCESS,
        )
