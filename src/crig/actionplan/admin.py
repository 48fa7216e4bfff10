"""The action plan in the administration site (secretariat and administrators).

Read-only: every change to a plan or an action goes through the services (checks,
numbering, history), from the plan's pages. The admin is where the staff look
things up — plans, actions with their milestones, indicators, updates and
history — and where two plan-wide operations are at hand as admin actions,
through the same services: publishing a draft plan and rolling a plan over.
"""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crig.actionplan import services
from crig.actionplan.models import (
    Action,
    ActionChange,
    Indicator,
    Milestone,
    Plan,
    ProgressUpdate,
)
from crig.core.errors import CrigError


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


def _public_link(obj, label):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), label)


class ActionInline(ReadOnlyInline):
    model = Action
    fk_name = "plan"
    fields = ["number", "title", "category", "status", "progress"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["year", "title", "state", "action_count", "published_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    fields = [
        "public_page",
        "year",
        "title",
        "introduction",
        "state",
        "published_at",
        "rolled_over_from",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [ActionInline]
    actions = ["publish", "roll_over"]

    def has_manage_plan_permission(self, request):
        return request.user.has_perm("actionplan.change_plan")

    @admin.display(description=_("actions"))
    def action_count(self, plan):
        return plan.actions.count()

    @admin.display(description=_("public page"))
    def public_page(self, plan):
        return _public_link(plan, _("Open the plan's page"))

    def _run(self, request, queryset, operation, done_message):
        for plan in queryset.order_by("year"):
            try:
                result = operation(actor=request.user, plan=plan)
            except CrigError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                self.message_user(
                    request, done_message % {"year": result.year}, messages.SUCCESS
                )

    @admin.action(
        description=_("Publish the selected plans"), permissions=["manage_plan"]
    )
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            services.plan_publish,
            _("The %(year)s plan is published."),
        )

    @admin.action(
        description=_("Roll the selected plans over to next year"),
        permissions=["manage_plan"],
    )
    def roll_over(self, request, queryset):
        self._run(
            request,
            queryset,
            services.plan_roll_over,
            _("The %(year)s plan was started as a draft from the unfinished actions."),
        )


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["title", "due_on", "done_on"]
    readonly_fields = fields


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["name", "target", "current", "unit"]
    readonly_fields = fields


class ProgressUpdateInline(ReadOnlyInline):
    model = ProgressUpdate
    fields = ["dated", "author", "body", "progress", "status", "attachment"]
    readonly_fields = fields


class ActionChangeInline(ReadOnlyInline):
    model = ActionChange
    fields = ["at", "actor", "what", "changes"]
    readonly_fields = fields


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "plan",
        "category",
        "status",
        "progress",
        "signatory",
    ]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "category", "status", "theme"]
    search_fields = ["title", "objectives", "leads__name", "leads__acronym"]
    list_select_related = ["plan", "signatory__organisation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "public_page",
                    "plan",
                    "number",
                    "category",
                    "title",
                    "objectives",
                    "theme",
                ]
            },
        ),
        (
            _("Who"),
            {"fields": ["leads", "signatory", "partners"]},
        ),
        (
            _("Progress"),
            {"fields": ["status", "progress", "budget", "continues"]},
        ),
        (
            _("Links"),
            {"fields": ["needs", "funding_requests", "datasets"]},
        ),
    ]
    readonly_fields = [
        "public_page",
        "plan",
        "number",
        "category",
        "title",
        "objectives",
        "theme",
        "leads",
        "signatory",
        "partners",
        "status",
        "progress",
        "budget",
        "continues",
        "needs",
        "funding_requests",
        "datasets",
    ]
    inlines = [
        MilestoneInline,
        IndicatorInline,
        ProgressUpdateInline,
        ActionChangeInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.display(description=_("public page"))
    def public_page(self, action):
        return _public_link(action, _("Open the action's page"))


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ["dated", "action", "author", "progress", "status"]
    list_filter = ["action__plan", "status"]
    search_fields = ["body", "action__title"]
    date_hierarchy = "dated"
    list_select_related = ["action", "author"]
    fields = [
        "action",
        "dated",
        "author",
        "body",
        "progress",
        "status",
        "attachment",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(ActionChange)
class ActionChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "what", "actor"]
    list_filter = ["what", "action__plan"]
    search_fields = ["action__title"]
    date_hierarchy = "at"
    list_select_related = ["action", "actor"]
    fields = ["action", "what", "actor", "at", "changes"]
    readonly_fields = fields
