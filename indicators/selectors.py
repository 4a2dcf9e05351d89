"""Reads of the indicator catalogue."""

from .models import Indicator


def catalogue(outline_version_id) -> list[Indicator]:
    """An outline version's indicators in their order, each with its heading node."""
    return list(
        Indicator.objects.filter(outline_version_id=outline_version_id).select_related("node").order_by("position")
    )
