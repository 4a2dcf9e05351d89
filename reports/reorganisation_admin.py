"""The admin's pages for a reorganisation: merge units, move a unit with its subtree, deactivate units and
reactivate them (both only from above: units.selectors.administered_from_above_q).

Each is chosen from the unit list (an action) or a unit's page, shown as a form, then as a confirmation
page saying what will happen, and only then done by ``reports.reorganisation``. The unit admin of
``units.admin`` is extended here because these pages keep the reports layer's totals right."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import fold_code
from units.admin import UnitAdmin
from units.models import Membership, Unit
from units.selectors import administered_from_above_q

from . import reorganisation, services
from .models import Report


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


def _searchable(form) -> None:
    """Unit boxes search as you type (the admin's autocomplete over the unit list's search): a province
    has thousands of units, too many for a plain list. The form's querysets still decide what is valid."""
    field = Unit._meta.get_field("parent")
    for bound in form.fields.values():
        if isinstance(bound, UnitsChoice):
            bound.widget = AutocompleteSelectMultiple(field, admin.site)
        elif isinstance(bound, UnitChoice):
            bound.widget = AutocompleteSelect(field, admin.site)


class MergeForm(forms.Form):
    """Which units merge, into which (an existing unit or a new one), from which day."""

    NEW, EXISTING = "new", "existing"

    sources = UnitsChoice(queryset=Unit.objects.none(), label=gettext_lazy("Units to merge"))
    into = forms.ChoiceField(
        label=gettext_lazy("Merge into"),
        choices=[
            (NEW, gettext_lazy("a new unit (fill in below)")),
            (EXISTING, gettext_lazy("an existing unit")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    target = UnitChoice(queryset=Unit.objects.none(), required=False, label=gettext_lazy("Existing unit"))
    code = forms.CharField(label=gettext_lazy("Code of the new unit"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("Name of the new unit"), max_length=255, required=False)
    kind = forms.CharField(label=gettext_lazy("Kind"), max_length=120, required=False)
    parent = UnitChoice(queryset=Unit.objects.none(), required=False, label=gettext_lazy("Parent unit"))
    is_grassroots = forms.BooleanField(label=gettext_lazy("Grassroots union (CĐCS)"), required=False)
    congress_number = forms.CharField(
        label=gettext_lazy("Congress number"),
        max_length=20,
        required=False,
        initial="I",
        help_text=gettext_lazy(
            "A merged union usually restarts at I: its report then says “lần thứ I (sau hợp nhất)”."
        ),
    )
    effective = forms.DateField(
        label=gettext_lazy("Merger takes effect on"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=gettext_lazy("dd/mm/yyyy"),
    )

    def __init__(self, *args, units, top_level=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.top_level = top_level
        _searchable(self)
        active = units.filter(is_active=True)
        self.fields["sources"].queryset = active
        self.fields["target"].queryset = active
        self.fields["parent"].queryset = active
        self.fields["effective"].initial = timezone.localdate().strftime("%d/%m/%Y")

    def clean(self):
        data = super().clean()
        if data.get("into") == self.EXISTING:
            if not data.get("target"):
                self.add_error("target", _("Choose the unit to merge into."))
        else:
            for name in ("code", "name", "kind"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("This field is required for a new unit."))
            if not self.top_level and not data.get("parent") and "parent" not in self.errors:
                self.add_error("parent", _("Choose the parent unit: only a superuser adds a top-level unit."))
            code = (data.get("code") or "").strip()
            if code:
                try:
                    data["code"] = code = fold_code(code)
                except ValidationError as exc:
                    self.add_error("code", exc)
                else:
                    if Unit.objects.with_code(code).exists():
                        self.add_error("code", _("A unit with this code exists already."))
        sources = list(data.get("sources") or [])
        into = data.get("target") if data.get("into") == self.EXISTING else data.get("parent")
        if into is not None and any(into.is_within(u) for u in sources):
            raise ValidationError(_("A unit cannot be merged into itself or into a unit below one that merges."))
        return data

    def merge_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"sources": list(data["sources"]), "effective": data["effective"]}
        if data["into"] == self.EXISTING:
            arguments["target"] = data["target"]
        else:
            arguments["new_unit"] = {
                "code": data["code"],
                "name": data["name"],
                "kind": data["kind"],
                "parent": data["parent"],
                "is_grassroots": data["is_grassroots"],
                "congress_number": data["congress_number"],
            }
        return arguments


class MoveForm(forms.Form):
    unit = UnitChoice(queryset=Unit.objects.none(), label=gettext_lazy("Unit to move (with every unit below it)"))
    new_parent = UnitChoice(
        queryset=Unit.objects.none(),
        required=False,
        label=gettext_lazy("New parent unit"),
        help_text=gettext_lazy("Empty: the unit becomes a top-level unit."),
    )

    def __init__(self, *args, units, top_level=True, **kwargs):
        super().__init__(*args, **kwargs)
        _searchable(self)
        self.fields["unit"].queryset = units
        if not top_level:
            # Units go only where the administrator administers: never to the top of the tree.
            self.fields["new_parent"].required = True
            self.fields["new_parent"].help_text = ""
        self.fields["new_parent"].queryset = units.filter(is_active=True)

    def clean(self):
        data = super().clean()
        unit, parent = data.get("unit"), data.get("new_parent")
        if unit and parent and parent.is_within(unit):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        if unit and parent == unit.parent:
            raise ValidationError(_("The unit is already under this parent."))
        return data


class DeactivateForm(forms.Form):
    units = UnitsChoice(queryset=Unit.objects.none(), label=gettext_lazy("Units to deactivate"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        _searchable(self)
        self.fields["units"].queryset = units.filter(is_active=True)

    def clean_units(self):
        chosen = list(self.cleaned_data["units"])
        chosen_pks = {u.pk for u in chosen}
        errors = []
        for unit in chosen:
            below = Unit.objects.subtree_of(unit, include_self=False).filter(is_active=True).exclude(pk__in=chosen_pks)
            if below.exists():
                errors.append(
                    _("%(unit)s still has active units below it (%(names)s): move or deactivate them first.")
                    % {"unit": unit.name, "names": ", ".join(u.name for u in below[:3])}
                )
        if errors:
            raise ValidationError(errors)
        # Deepest first: a unit is deactivated after the units below it.
        return sorted(chosen, key=lambda u: -u.depth)


class ReactivateForm(forms.Form):
    units = UnitsChoice(queryset=Unit.objects.none(), label=gettext_lazy("Units to reactivate"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        _searchable(self)
        self.fields["units"].queryset = units.filter(is_active=False).select_related("parent", "merged_into")

    def clean_units(self):
        chosen = list(self.cleaned_data["units"])
        chosen_pks = {u.pk for u in chosen}
        errors = []
        for unit in chosen:
            if unit.merged_into_id is not None:
                errors.append(
                    _("%(unit)s was merged into %(successor)s: a merged unit cannot be reactivated.")
                    % {"unit": unit.name, "successor": unit.merged_into.name}
                )
            elif unit.parent is not None and not unit.parent.is_active and unit.parent_id not in chosen_pks:
                errors.append(
                    _("%(unit)s is under %(parent)s, which is inactive: reactivate %(parent)s first.")
                    % {"unit": unit.name, "parent": unit.parent.name}
                )
        if errors:
            raise ValidationError(errors)
        # Highest first: a unit comes back after the unit above it.
        return sorted(chosen, key=lambda u: u.depth)


def _summary(units) -> list[dict]:
    """What each unit carries: reports, people, units below. One query for each count, any number of units."""
    pks = [u.pk for u in units]
    reports = dict(
        Report.objects.filter(unit__in=pks).values_list("unit").annotate(n=Count("pk")).values_list("unit", "n")
    )
    people = dict(
        Membership.objects.filter(unit__in=pks).values_list("unit").annotate(n=Count("pk")).values_list("unit", "n")
    )
    below = {u.pk: 0 for u in units}
    if units:
        for unit_path in Unit.objects.subtrees_of(units).values_list("path", flat=True):
            for unit in units:
                if unit_path != unit.path and unit_path.startswith(unit.path):
                    below[unit.pk] += 1
    return [
        {"unit": u, "reports": reports.get(u.pk, 0), "people": people.get(u.pk, 0), "below": below[u.pk]} for u in units
    ]


class ReorganisingUnitAdmin(UnitAdmin):
    """The unit admin, with merge, move, deactivate and reactivate (each confirmed on its own page)."""

    actions = [*(UnitAdmin.actions or ()), "merge_units", "move_unit", "deactivate_units", "reactivate_units"]
    list_display = [*UnitAdmin.list_display, "merged_into"]
    readonly_fields = [*UnitAdmin.readonly_fields, "merged_into", "merged_on", "formed_by_merger"]
    # The unit a merged unit went into is a list column: joined, not one query per merged unit.
    list_select_related = ["parent", "merged_into"]

    def get_urls(self):
        own = [
            path(
                "hop-nhat/",
                self.admin_site.admin_view(self.merge_view),
                name="units_unit_merge",
            ),
            path("chuyen/", self.admin_site.admin_view(self.move_view), name="units_unit_move"),
            path(
                "ngung-hoat-dong/",
                self.admin_site.admin_view(self.deactivate_view),
                name="units_unit_deactivate",
            ),
            path(
                "hoat-dong-lai/",
                self.admin_site.admin_view(self.reactivate_view),
                name="units_unit_reactivate",
            ),
        ]
        return own + super().get_urls()

    def import_apply(self, *, data: bytes, actor):
        # Moves made by a file rebuild the roll-up totals, as a move on the unit page does.
        return reorganisation.units_import_apply(data=data, actor=actor)

    def import_start(self, *, digest: str, actor, invite: bool):
        # A large file: imported in the background, its totals and (if asked) its invitations too.
        return services.units_import_start(digest=digest, actor=actor, invite=invite)

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            # A new parent typed on the unit's own page is a move: paths and roll-up totals follow.
            new_parent = obj.parent
            obj.parent = Unit.objects.get(pk=obj.pk).parent
            obj.save()
            moved = reorganisation.unit_move(unit=obj, new_parent=new_parent, actor=request.user)
            obj.parent, obj.path = moved.parent, moved.path
            return
        super().save_model(request, obj, form, change)

    # The actions only carry the chosen units to their page.
    def _to(self, name, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse(f'admin:{name}')}?ids={ids}")

    @admin.action(description=gettext_lazy("Merge the chosen units…"))
    def merge_units(self, request, queryset):
        return self._to("units_unit_merge", queryset)

    @admin.action(description=gettext_lazy("Move the chosen unit to another parent…"))
    def move_unit(self, request, queryset):
        return self._to("units_unit_move", queryset[:1])

    @admin.action(description=gettext_lazy("Deactivate the chosen units…"))
    def deactivate_units(self, request, queryset):
        return self._to("units_unit_deactivate", queryset)

    @admin.action(description=gettext_lazy("Reactivate the chosen units…"))
    def reactivate_units(self, request, queryset):
        return self._to("units_unit_reactivate", queryset)

    def _ids(self, request) -> list[int]:
        return [int(p) for p in request.GET.get("ids", "").split(",") if p.strip().isdigit()][:500]

    def _page(self, request, *, title, form, step, summary=None, confirm_text="", intro=""):
        return TemplateResponse(
            request,
            "admin/units/unit/reorganise.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "form": form,
                "step": step,
                "summary": summary or [],
                "confirm_text": confirm_text,
                "intro": intro,
            },
        )

    def _check(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied

    def _flow(self, request, form, *, title, intro, describe, perform):
        """Form → confirmation page → done. ``describe(form)`` gives the confirmation's summary and
        sentence; ``perform(form)`` does it and returns the message shown on the unit list."""
        step = "form"
        summary, confirm_text = [], ""
        if request.method == "POST" and form.is_valid() and not request.POST.get("back"):
            if request.POST.get("confirm") == "1":
                try:
                    message = perform(form)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:units_unit_changelist"))
            else:
                step = "confirm"
                summary, confirm_text = describe(form)
        return self._page(
            request, title=title, form=form, step=step, summary=summary, confirm_text=confirm_text, intro=intro
        )

    def merge_view(self, request):
        self._check(request)
        units = self.get_queryset(request)  # the units the user administers (ScopedAdminMixin)
        if request.method == "POST":
            form = MergeForm(request.POST, units=units, top_level=request.user.is_superuser)
        else:
            ids = self._ids(request)
            # The new unit goes where the merged ones were, when they were under one parent.
            chosen = list(units.filter(pk__in=ids).values_list("parent", "is_grassroots"))
            parents = {parent for parent, _grassroots in chosen}
            form = MergeForm(
                initial={
                    "sources": ids,
                    "parent": parents.pop() if len(parents) == 1 else None,
                    # Grassroots unions merged make a grassroots union: ticked unless told otherwise.
                    "is_grassroots": bool(chosen) and all(grassroots for _parent, grassroots in chosen),
                },
                units=units,
                top_level=request.user.is_superuser,
            )

        def describe(form):
            data = form.cleaned_data
            into = data["target"].name if data["into"] == MergeForm.EXISTING else data["name"]
            text = _(
                "The units below become inactive and are merged into “%(into)s” from %(date)s. Their people and "
                "the units below them move to it; their reports stay as they are and are read under it."
            ) % {"into": into, "date": data["effective"].strftime("%d/%m/%Y")}
            return _summary(list(data["sources"])), text

        def perform(form):
            successor = reorganisation.unit_merge(**form.merge_arguments(), actor=request.user)
            return _("Merged into %(unit)s.") % {"unit": successor.name}

        return self._flow(
            request,
            form,
            title=_("Merge units"),
            intro=_("Choose the units that merge and the unit they become: a new one, or one that already exists."),
            describe=describe,
            perform=perform,
        )

    def move_view(self, request):
        self._check(request)
        units = self.get_queryset(request)  # the units the user administers (ScopedAdminMixin)
        if request.method == "POST":
            form = MoveForm(request.POST, units=units, top_level=request.user.is_superuser)
        else:
            ids = self._ids(request)
            form = MoveForm(initial={"unit": ids[0] if ids else None}, units=units, top_level=request.user.is_superuser)

        def describe(form):
            unit, parent = form.cleaned_data["unit"], form.cleaned_data["new_parent"]
            text = _(
                "“%(unit)s” and every unit below it move from “%(old)s” to “%(new)s”. Their reports go with "
                "them; the roll-up totals of the superior unions are made again."
            ) % {"unit": unit.name, "old": unit.parent or "—", "new": parent or "—"}
            return _summary([unit]), text

        def perform(form):
            unit = reorganisation.unit_move(
                unit=form.cleaned_data["unit"], new_parent=form.cleaned_data["new_parent"], actor=request.user
            )
            return _("%(unit)s was moved.") % {"unit": unit.name}

        return self._flow(
            request,
            form,
            title=_("Move a unit"),
            intro=_("Choose the unit and its new parent unit."),
            describe=describe,
            perform=perform,
        )

    def deactivate_view(self, request):
        self._check(request)
        # Below the units the user administers: nobody closes the unit that gives them their rights.
        units = self.get_queryset(request).filter(administered_from_above_q(request.user))
        if request.method == "POST":
            form = DeactivateForm(request.POST, units=units)
        else:
            form = DeactivateForm(initial={"units": self._ids(request)}, units=units)

        def describe(form):
            text = _(
                "These units become inactive: they get no report when a round opens and their people no longer "
                "act for them. Their reports stay and can still be read."
            )
            return _summary(form.cleaned_data["units"]), text

        def perform(form):
            with transaction.atomic():
                done = [reorganisation.unit_deactivate(unit=u, actor=request.user) for u in form.cleaned_data["units"]]
            return _("Deactivated: %(names)s.") % {"names": ", ".join(u.name for u in done)}

        return self._flow(
            request,
            form,
            title=_("Deactivate units"),
            intro=_("A unit that has closed or stopped reporting. Nothing is deleted."),
            describe=describe,
            perform=perform,
        )

    def reactivate_view(self, request):
        self._check(request)
        # As for deactivating: from above only (a superuser reactivates any unit, a top-level one too).
        units = self.get_queryset(request).filter(administered_from_above_q(request.user))
        if request.method == "POST":
            form = ReactivateForm(request.POST, units=units)
        else:
            form = ReactivateForm(initial={"units": self._ids(request)}, units=units)

        def describe(form):
            text = _(
                "These units become active again: their people act for them again, and each gets its report "
                "in the rounds running over it and when a round opens."
            )
            return _summary(form.cleaned_data["units"]), text

        def perform(form):
            with transaction.atomic():
                done = [reorganisation.unit_reactivate(unit=u, actor=request.user) for u in form.cleaned_data["units"]]
            return _("Reactivated: %(names)s.") % {"names": ", ".join(u.name for u in done)}

        return self._flow(
            request,
            form,
            title=_("Reactivate units"),
            intro=_("A unit deactivated by mistake, or working again. A merged unit stays merged."),
            describe=describe,
            perform=perform,
        )


admin.site.unregister(Unit)
admin.site.register(Unit, ReorganisingUnitAdmin)
