"""Meetings and events in the administration site (secretariat and administrators).

**Where the secretariat prepares things.** Council meetings (agenda items linked
to what is discussed, attendance, decisions, documents, minutes) and events
(place, capacity, registration window, programme) are written here, through
their ``ModelForm``: they are the secretariat's own records, with no rule to
enforce beyond the models' constraints — the one exception to "no ORM write
outside the services" in this module. Publishing a meeting is an admin action
through ``meeting_publish``, so its date is set once.

**Registrations are read-only.** They hold personal data (e-mail, accessibility
and dietary needs), visible here to the staff roles only, like everywhere
(``events.view_registrations``). Their changes go through the services, as
admin actions: cancel (the waiting list moves, the promoted person is told),
mark present, and the CSV/XLSX export — every export is logged with
``registrations_export_logged`` (who, what, when, how many rows), and the log
itself is read-only.
"""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from crig.core.errors import CrigError
from crig.core.exports import export_response
from crig.events import services
from crig.events.models import (
    AgendaItem,
    Attendance,
    Decision,
    Event,
    Meeting,
    MeetingDocument,
    PersonalDataExport,
    Registration,
    Session,
)


class StaffMixin:
    """Visible to the staff roles (``members.use_admin``)."""

    change_perm = "events.change_meeting"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("members.use_admin")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(self.change_perm)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(self.change_perm)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(self.change_perm)


class AgendaItemInline(StaffMixin, admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = [
        ("position", "kind", "confidential"),
        "title",
        "description",
        ("action", "funding_request"),
        ("need", "round"),
    ]
    raw_id_fields = ["action", "funding_request", "need", "round"]


class AttendanceInline(StaffMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["organisation", "representatives", "present"]
    autocomplete_fields = ["organisation"]


class DecisionInline(StaffMixin, admin.StackedInline):
    model = Decision
    extra = 0
    fields = [("kind", "confidential"), "agenda_item", "text", ("opinion", "action")]
    raw_id_fields = ["opinion", "action"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the items of the meeting being edited.
        if db_field.name == "agenda_item":
            meeting_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingDocumentInline(StaffMixin, admin.TabularInline):
    model = MeetingDocument
    extra = 0
    fields = ["name", "file", "confidential", "size"]
    readonly_fields = ["size"]


@admin.register(Meeting)
class MeetingAdmin(StaffMixin, admin.ModelAdmin):
    list_display = ["title", "starts_at", "place", "state", "published_at"]
    list_filter = ["state"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    readonly_fields = ["state", "published_at"]
    fields = [
        "title",
        ("starts_at", "ends_at"),
        "place",
        "video_url",
        ("state", "published_at"),
        "minutes",
    ]
    inlines = [
        AgendaItemInline,
        AttendanceInline,
        DecisionInline,
        MeetingDocumentInline,
    ]
    actions = ["publish"]

    def save_formset(self, request, form, formset, change):
        if formset.model is MeetingDocument:
            for document in formset.save(commit=False):
                document.size = document.file.size
                document.save()
            for document in formset.deleted_objects:
                document.delete()
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Publish the selected meetings"))
    def publish(self, request, queryset):
        done = 0
        for meeting in queryset:
            try:
                services.meeting_publish(actor=request.user, meeting=meeting)
                done += 1
            except CrigError as error:
                self.message_user(request, str(error.message), messages.ERROR)
        if done:
            self.message_user(
                request,
                _("%(count)d meeting(s) published.") % {"count": done},
                messages.SUCCESS,
            )


class SessionInline(StaffMixin, admin.TabularInline):
    model = Session
    change_perm = "events.change_event"
    extra = 0
    fields = ["starts_at", "ends_at", "title", "speakers", "room", "description"]


@admin.register(Event)
class EventAdmin(StaffMixin, admin.ModelAdmin):
    change_perm = "events.change_event"
    list_display = ["title", "kind", "starts_at", "place_name", "capacity", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "place_name"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        ("title", "slug"),
        ("kind", "state"),
        "description",
        ("starts_at", "ends_at"),
        ("place_name", "address"),
        ("longitude", "latitude"),
        "video_url",
        "capacity",
        ("registration_opens_at", "registration_closes_at"),
    ]
    inlines = [SessionInline]


REGISTRATION_EXPORT_HEADER = [
    _("name"),
    _("e-mail"),
    _("organisation"),
    _("kind of organisation"),
    _("département"),
    _("OPenIG member"),
    _("attended a CRIG day before (declared)"),
    _("accessibility needs"),
    _("dietary needs"),
    _("appears in the participants list"),
    _("status"),
    _("present (checked in at)"),
]


def registration_export_row(registration: Registration) -> list:
    return [
        registration.full_name,
        registration.email,
        registration.organisation.name
        if registration.organisation_id
        else registration.organisation_name,
        registration.get_category_display(),
        registration.departement_id or "",
        registration.is_openig_member,
        registration.attended_before,
        registration.accessibility_needs,
        registration.dietary_needs,
        registration.consent_to_list,
        registration.get_status_display(),
        registration.checked_in_at,
    ]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "email",
        "event",
        "category",
        "status",
        "checked_in_at",
        "created_at",
    ]
    list_filter = ["event", "status", "category", "is_openig_member"]
    search_fields = ["full_name", "email", "organisation__name", "organisation_name"]
    list_select_related = ["event", "organisation"]
    actions = ["cancel", "check_in", "export_csv", "export_xlsx"]

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_registrations", obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Registration._meta.fields]

    def get_actions(self, request):
        # Django hides actions from a model the person may not change.
        actions = super().get_actions(request)
        if not request.user.has_perm("events.view_registrations"):
            return {}
        return actions

    def _each(self, request, queryset, operation, done_message):
        done = 0
        for registration in queryset.select_related("event"):
            try:
                operation(registration)
                done += 1
            except CrigError as error:
                self.message_user(
                    request,
                    f"{registration.full_name}: {error.message}",
                    messages.ERROR,
                )
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda registration: services.registration_cancel_by_staff(
                actor=request.user, registration=registration
            ),
            _("%(count)d registration(s) cancelled."),
        )

    @admin.action(description=_("Mark the selected registrants present"))
    def check_in(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda registration: services.registration_check_in(
                actor=request.user, registration=registration
            ),
            _("%(count)d registrant(s) marked present."),
        )

    def _export(self, request, queryset, format):
        registrations = list(
            queryset.select_related("event", "organisation").order_by(
                "event__starts_at", "full_name", "pk"
            )
        )
        events = {registration.event for registration in registrations}
        try:
            for event in events:
                services.registrations_export_logged(
                    actor=request.user,
                    event=event,
                    what=f"admin {format}",
                    rows=sum(1 for r in registrations if r.event_id == event.pk),
                )
        except CrigError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return None
        return export_response(
            format=format,
            filename="inscriptions",
            header=[str(label) for label in REGISTRATION_EXPORT_HEADER],
            rows=[registration_export_row(r) for r in registrations],
        )

    @admin.action(description=_("Export the selected registrations (CSV)"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export the selected registrations (XLSX)"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "event", "what", "rows"]
    list_filter = ["event"]
    list_select_related = ["actor", "event"]

    def has_module_permission(self, request):
        return request.user.has_perm("members.use_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_registrations")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
