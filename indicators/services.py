"""Writes of the indicator catalogue: copying one to another outline version, to be edited there."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.text import nfc
from outline.models import OutlineNode, OutlineVersion
from outline.services import outline_version_copy

from .models import Indicator

log = logging.getLogger(__name__)

_COPIED = [
    "code",
    "name",
    "unit_of_measure",
    "kind",
    "rollup",
    "over_years",
    "higher_is_better",
    "decimals",
    "position",
    "scale",
    "superior_only",
    "jump_warning_pct",
    "target_warning_pct",
]
_LINKS = ("numerator", "denominator", "part_of")


def catalogue_copy(
    *,
    source: OutlineVersion,
    target: OutlineVersion | None = None,
    code: str = "",
    name: str = "",
    actor,
) -> OutlineVersion:
    """Copy ``source``'s indicator catalogue to ``target`` (an outline version with no catalogue yet,
    such as one just uploaded), or, without a target, to a new version (``code``, ``name``) with the
    same outline. Each indicator goes under the section with the same heading (else the same key);
    numerators, denominators and parts point at the copies. The rounds on ``source`` keep theirs
    unchanged. Raises ValidationError; nothing is written unless everything is."""
    with transaction.atomic():
        if target is None:
            target = outline_version_copy(source=source, code=code, name=name, actor=actor)
        elif target.pk == source.pk:
            raise ValidationError(_("Choose another version to copy to."))
        else:
            # Two copies to the same version at once: the second waits, then finds the first's rows.
            target = OutlineVersion.objects.select_for_update().get(pk=target.pk)
        if Indicator.objects.filter(outline_version=target).exists():
            raise ValidationError(_("“%(version)s” has an indicator catalogue already.") % {"version": target.name})
        originals = list(Indicator.objects.filter(outline_version=source).select_related("node").order_by("position"))
        if not originals:
            raise ValidationError(_("“%(version)s” has no indicators to copy.") % {"version": source.name})
        writable = list(OutlineNode.objects.filter(version=target, is_writable=True))
        by_key = {n.key: n for n in writable}
        texts = [nfc(n.text).strip().casefold() for n in writable]
        # A heading found twice tells nothing: only headings the outline has once.
        by_text = {t: n for t, n in zip(texts, writable, strict=True) if texts.count(t) == 1}
        copies, missing = [], []
        for original in originals:
            # The same heading first (a new outline may renumber), else the same place.
            node = by_text.get(nfc(original.node.text).strip().casefold()) or by_key.get(original.node.key)
            if node is None:
                missing.append(original)
                continue
            copy = Indicator(outline_version=target, node=node, **{f: getattr(original, f) for f in _COPIED})
            copy.full_clean(exclude=[*_LINKS], validate_unique=False, validate_constraints=False)
            copies.append(copy)
        if missing:
            raise ValidationError(
                [
                    _("“%(indicator)s” illustrates “%(heading)s”, which the outline “%(version)s” does not have.")
                    % {"indicator": i.name, "heading": i.node.heading, "version": target.name}
                    for i in missing
                ]
            )
        Indicator.objects.bulk_create(copies)
        made = {i.code: i for i in Indicator.objects.filter(outline_version=target)}
        ids = {i.pk: i.code for i in originals}
        linked = []
        for original in originals:
            copy = made[original.code]
            changed = False
            for link in _LINKS:
                source_id = getattr(original, f"{link}_id")
                if source_id is not None:
                    setattr(copy, link, made[ids[source_id]])
                    changed = True
            if changed:
                copy.full_clean()
                linked.append(copy)
        Indicator.objects.bulk_update(linked, list(_LINKS))
    log.info("indicator catalogue of %s copied to %s by %s: %d", source.code, target.code, actor, len(made))
    return target
