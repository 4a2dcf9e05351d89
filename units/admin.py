from django.contrib import admin

from . import (
    admin_users,  # noqa: F401  (accounts by invitation)
    services,
)
from .admin_import import UnitImportMixin
from .models import Membership, Unit
from .selectors import administers


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(UnitImportMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_grassroots", "is_active"]
    list_filter = ["is_grassroots", "is_active", "kind"]
    search_fields = ["code", "name"]
    # The parent may be empty, so Django would not join it by itself: one query per row otherwise.
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]
    readonly_fields = ["path"]
    # An administrator sees and changes the units at and below theirs (reportsite.admin_site.ScopedAdminMixin).
    unit_scope = ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # The top of an administrator's subtree stays where it is: its parent lies outside what they
        # administer, so only someone administering above it moves it.
        superuser = request.user.is_superuser
        if obj is not None and not superuser and not (obj.parent_id and administers(request.user, obj.parent)):
            fields.append("parent")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and field is not None and not request.user.is_superuser:
            # A new unit goes under a unit the administrator administers, never at the top.
            field.required = True
        return field

    def save_model(self, request, obj, form, change):
        # The tree path is kept by the services, never by hand.
        if not change:
            created = services.unit_create(
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                parent=obj.parent,
                is_grassroots=obj.is_grassroots,
                congress_number=obj.congress_number,
                actor=request.user,
            )
            obj.pk, obj.path = created.pk, created.path
            return
        parent_changed = "parent" in form.changed_data
        obj.save()
        if parent_changed:
            moved = services.unit_move(unit=obj, new_parent=obj.parent, actor=request.user)
            obj.path = moved.path


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    # Only roles on units in the administrator's subtrees, given only there
    # (reportsite.admin_site.ScopedAdminMixin limits the unit and user boxes too).
    unit_scope = "unit"
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "unit__name",
        "unit__code",
    ]
    autocomplete_fields = ["user", "unit"]
