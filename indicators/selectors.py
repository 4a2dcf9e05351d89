"""Reads of the indicator catalogue."""

from django.db.models import Count

from outline.models import OutlineVersion

from .models import Indicator


def catalogue(outline_version_id, *, grassroots: bool = False) -> list[Indicator]:
    """An outline version's indicators in their order, each with its heading node. For a grassroots
    union's (CĐCS) appendix, ``grassroots`` leaves out the rows only superior unions count."""
    indicators = Indicator.objects.in_catalogue(outline_version_id, grassroots=grassroots)
    # The heading is labelled with its parent section's numeral (OutlineNode.label): joined, not one
    # query per section.
    return list(indicators.select_related("node", "node__parent").order_by("position"))


def versions_with_catalogue():
    """Outline versions that have an indicator catalogue, with its size, newest first."""
    return (
        OutlineVersion.objects.annotate(indicator_total=Count("indicators"))
        .filter(indicator_total__gt=0)
        .order_by("-pk")
    )
