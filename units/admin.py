from django import forms
from django.contrib import admin
from django.db import connection
from django.db.models import Max, Value
from django.db.models.functions import Length, Replace
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import fold_code

from . import (
    admin_users,  # noqa: F401  (accounts by invitation)
    services,
)
from .admin_import import UnitImportMixin
from .models import Membership, Unit
from .selectors import administers_from_above, user_access


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UnitAdminForm(forms.ModelForm):
    """The unit page: the code is folded (core.validators.fold_code) and a twin refused in words; a new
    parent is checked here, in words, before the move service refuses it."""

    def clean_code(self):
        code = fold_code(self.cleaned_data.get("code") or "")
        if Unit.objects.with_code(code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A unit with this code exists already."))
        return code

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is None or "parent" not in self.changed_data:
            return parent
        if not parent.is_active:
            raise forms.ValidationError(
                _("%(unit)s is no longer active (merged or closed): a unit cannot be placed under it.")
                % {"unit": parent.name}
            )
        if self.instance.pk and parent.is_within(self.instance):
            raise forms.ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        return parent


class LevelFilter(admin.SimpleListFilter):
    """Folds the tree: only the units down to a level (1 = the top units, 2 = the unions under them…)."""

    title = gettext_lazy("tree level")
    parameter_name = "cap"

    def lookups(self, request, model_admin):
        top, deepest = _depths(request, model_admin.get_queryset(request))
        if deepest is None:
            return []
        return [(str(d - top + 1), _("down to level %(level)s") % {"level": d - top + 1}) for d in range(top, deepest)]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        top, _deepest = _depths(request, None)
        deepest = top + int(self.value()) - 1
        # A path of depth d has d + 1 slashes: "/1/" is the top, "/1/5/" under it.
        return queryset.filter(path__regex=rf"^(/[0-9]+){{1,{deepest}}}/$")


# A unit's depth in SQL: the slashes of its path, less one (Unit.depth). Units 0009 indexes the slashes
# on PostgreSQL, so the deepest unit of a province is read from the index's end, not from 120,000 paths.
SLASHES = Length("path") - Length(Replace("path", Value("/"), Value("")))


def _depths(request, units) -> tuple[int, int | None]:
    """The depth of the user's top units (those they administer; 1 for a superuser) and, when ``units``
    is given, the deepest depth among them (None when there is none): a tree has every depth between."""
    access = user_access(request.user)
    top = 1 if access.is_superuser else min((u.depth for u in access.admin_units), default=1)
    if units is None:
        return top, None
    slashes = units.order_by().aggregate(deepest=Max(SLASHES))["deepest"]
    return top, None if slashes is None else slashes - 1


class KindFilter(admin.SimpleListFilter):
    """The units' kinds (free text), as Django's filter of a column's values, without a DISTINCT over a
    province's 120,000 units: the kinds are walked through the index on (kind, path) one at a time (a
    handful in all), and each is offered only if a unit the user sees has it (one look-up per kind)."""

    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        units = model_admin.get_queryset(request)
        table = connection.ops.quote_name(Unit._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE kinds(kind) AS (SELECT MIN(kind) FROM {table} UNION ALL "
                f"SELECT (SELECT MIN(u.kind) FROM {table} u WHERE u.kind > kinds.kind) FROM kinds "
                "WHERE kinds.kind IS NOT NULL) SELECT kind FROM kinds WHERE kind IS NOT NULL"
            )
            kinds = [row[0] for row in cursor.fetchall()]
        return [(kind, kind) for kind in kinds if units.filter(kind=kind).exists()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Unit)
class UnitAdmin(UnitImportMixin, admin.ModelAdmin):
    form = UnitAdminForm
    # The tree in path order, each name indented by its depth: the parent is the row above, no column.
    list_display = ["tree_name", "code", "kind", "is_active"]
    list_display_links = ["tree_name"]
    list_filter = [LevelFilter, "is_grassroots", "is_active", KindFilter]
    search_fields = ["code", "name"]
    # The parent may be empty, so Django would not join it by itself: one query per row otherwise.
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]
    # An administrator sees and changes the units at and below theirs (reportsite.admin_site.ScopedAdminMixin).
    unit_scope = ""

    @admin.display(description=gettext_lazy("unit"), ordering="path")
    def tree_name(self, obj):
        return format_html(
            '<span class="unit-tree" data-depth="{}" style="padding-left: {}em">{}{}</span>',
            obj.depth,
            1.5 * (obj.depth - 1),
            "└ " if obj.depth > 1 else "",
            obj.name,
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # The top of an administrator's subtree stays where it is: its parent lies outside what they
        # administer, so only someone administering above it moves it.
        if obj is not None and not administers_from_above(request.user, obj):
            fields.append("parent")
        # Deactivating checks the units below, and a merged unit must not come back by a tick: both only
        # through the unit list's actions.
        return [*fields, "is_active"] if obj is not None else fields

    def has_delete_permission(self, request, obj=None):
        # As deactivating: only from above, so nobody removes the unit that gives them their rights.
        if obj is not None and not administers_from_above(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The bulk "Delete" action asks here: a chosen unit the user does not administer from above is
        named as what they may not delete, so Django shows why and deletes nothing."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = sorted(unit.name for unit in objs if not administers_from_above(request.user, unit))
        if own:
            perms_needed = {
                *perms_needed,
                _("units you administer yourself (only an administrator above them deletes them): %(names)s")
                % {"names": ", ".join(own)},
            }
        return deleted, counts, perms_needed, protected

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
        # A changed parent is a move, done by reports.reorganisation_admin's unit admin (which replaces
        # this one) so that the reports' roll-up totals follow.
        super().save_model(request, obj, form, change)


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
