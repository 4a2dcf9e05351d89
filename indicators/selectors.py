"""Reads of the indicator catalogue."""

from .models import Indicator


def catalogue(outline_version_id) -> list[Indicator]:
    """An outline version's indicators in their order, each with its heading node."""
    return list(
        Indicator.objects.filter(outline_version_id=outline_version_id)
        # The heading is labelled with its parent section's numeral (OutlineNode.label): joined, not one
        # query per section.
        .select_related("node", "node__parent")
        .order_by("position")
    )
