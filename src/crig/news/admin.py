"""News in the administration site (secretariat and administrators).

Read-only: an item is written in the editorial pages, where its body is
sanitised and its links checked (``crig.news.services``); the admin's own form
would store HTML unsanitised. Publishing and unpublishing are admin actions
that call the services. Subscriptions are shown to answer "why did I get
this?" but only their owner changes them; deliveries are the record of what was
sent to whom, never edited.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crig.core.errors import CrigError
from crig.news import services
from crig.news.models import (
    Delivery,
    NewsAttachment,
    NewsItem,
    NewsItemTheme,
    Subscription,
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


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ThemeInline(ReadOnlyInline):
    model = NewsItemTheme
    fields = ["theme"]


class AttachmentInline(ReadOnlyInline):
    model = NewsAttachment
    fields = ["name", "file", "size"]


@admin.register(NewsItem)
class NewsItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "audience",
        "community",
        "state",
        "publish_at",
        "author",
    ]
    list_filter = ["kind", "audience", "state", "community"]
    search_fields = ["title", "summary", "standard"]
    date_hierarchy = "publish_at"
    list_select_related = ["author", "community__organisation"]
    inlines = [ThemeInline, AttachmentInline]
    exclude = ["communes", "datasets", "needs", "opinions", "actions", "events"]
    readonly_fields = ["communes_list"]
    actions = ["publish_now", "unpublish"]

    @admin.display(description=_("communes"))
    def communes_list(self, item):
        return ", ".join(item.communes.values_list("name", flat=True)) or "—"

    def _apply(self, request, queryset, service, done_message) -> None:
        done = 0
        for item in queryset:
            try:
                service(actor=request.user, item=item)
            except CrigError as error:
                self.message_user(
                    request, f"{item.title} : {error.message}", messages.WARNING
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Publish now"))
    def publish_now(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.news_publish,
            lambda count: (
                ngettext(
                    "%(count)d item published.", "%(count)d items published.", count
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.news_unpublish,
            lambda count: (
                ngettext(
                    "%(count)d item unpublished.", "%(count)d items unpublished.", count
                )
                % {"count": count}
            ),
        )


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["person", "frequency", "active", "use_organisation_perimeter"]
    list_filter = ["frequency", "active", "use_organisation_perimeter"]
    search_fields = ["person__email", "person__full_name"]
    list_select_related = ["person"]
    exclude = ["communes", "token"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "person",
        "frequency",
        "period_end",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "frequency"]
    search_fields = ["person__email", "subject"]
    date_hierarchy = "period_end"
    list_select_related = ["person"]
