from django.contrib import admin

from .models import Region, VillageLabel


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "retired"]
    list_filter = ["level", "kind", "retired"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent", "child_count", "village_count"]


@admin.register(VillageLabel)
class VillageLabelAdmin(admin.ModelAdmin):
    list_display = ["region", "label"]
    raw_id_fields = ["region"]
