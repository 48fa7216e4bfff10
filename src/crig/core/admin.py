from django.contrib import admin

from crig.core.models import SiteText


@admin.register(SiteText)
class SiteTextAdmin(admin.ModelAdmin):
    list_display = ["key", "title_fr", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
