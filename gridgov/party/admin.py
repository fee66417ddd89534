from django.contrib import admin

from gridgov.party.models import PartyOrganization


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "area", "secretary_name", "member_count")
    list_filter = ("level",)
    search_fields = ("name", "area__code", "area__name", "secretary_name")
    raw_id_fields = ("parent", "area")
