from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crig.core.models import SiteText

admin.site.site_header = _("CRIG administration")
admin.site.site_title = _("CRIG administration")
admin.site.index_title = _("Secretariat and administration")


@admin.register(SiteText)
class SiteTextAdmin(admin.ModelAdmin):
    list_display = ["key", "title_fr", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
