from django.contrib import admin

from .models import OutlineNode, OutlineVersion


class OutlineNodeInline(admin.TabularInline):
    model = OutlineNode
    fields = ["position", "key", "kind", "number", "text", "is_writable", "is_required"]
    readonly_fields = ["position", "key", "kind", "number", "text"]
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(OutlineVersion)
class OutlineVersionAdmin(admin.ModelAdmin):
    # The whole site's: read by every administrator, changed by those of a top-level unit
    # (reportsite.admin_site.ScopedAdminMixin).
    catalogue = True
    list_display = ["code", "name"]
    inlines = [OutlineNodeInline]
