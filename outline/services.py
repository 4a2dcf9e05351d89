"""Writes of outlines: publishing a new version from its text."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.text import nfc

from .models import OutlineNode, OutlineVersion
from .parsing import check_outline, parse_outline

log = logging.getLogger(__name__)


_NODE_FIELDS = ("key", "kind", "number", "text", "raw", "line_no", "position", "is_writable", "is_required")


def _node_in(version, node) -> OutlineNode:
    """An unsaved line of ``version`` with ``node``'s place and words (a parsed line or another version's)."""
    return OutlineNode(version=version, **{name: getattr(node, name) for name in _NODE_FIELDS})


def _save_version(version: OutlineVersion) -> None:
    """Save a new version; the same code published twice at once (a double click) is refused in words."""
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        raise ValidationError({"code": _("An outline version with this code exists already.")}) from None


def outline_version_publish(*, code: str, name: str, source: str, actor) -> OutlineVersion:
    """Publish ``source`` (an outline's text) as a new outline version, parsed by the same parser as
    the seed: every non-blank line one node, ``raw`` byte for byte. Raises OutlineFormatError when the
    text cannot be parsed, ValidationError when it has errors (check_outline) or the code is taken.
    Nothing is written unless everything is."""
    source = nfc(source)
    nodes = parse_outline(source)
    check = check_outline(nodes)
    if check.errors:
        raise ValidationError(check.errors)
    with transaction.atomic():
        if OutlineVersion.objects.filter(code=code).exists():
            raise ValidationError({"code": _("An outline version with this code exists already.")})
        version = OutlineVersion(code=code, name=nfc(name).strip(), source_text=source)
        version.full_clean()
        _save_version(version)
        made = [_node_in(version, node) for node in nodes]
        for row in made:
            row.full_clean(exclude=["version", "parent"], validate_unique=False)
        OutlineNode.objects.bulk_create(made)
        # Parents by key, once every node has its id (read back: not every database returns ids).
        ids = dict(OutlineNode.objects.filter(version=version).values_list("key", "pk"))
        children = []
        for node, row in zip(nodes, made, strict=True):
            if node.parent_key:
                row.pk = ids[node.key]
                row.parent_id = ids[node.parent_key]
                children.append(row)
        OutlineNode.objects.bulk_update(children, ["parent"], batch_size=500)
    log.info("outline version %s published by %s: %d nodes", code, actor, len(made))
    return version


def outline_version_copy(*, source: OutlineVersion, code: str, name: str, actor) -> OutlineVersion:
    """A new outline version with ``source``'s text and nodes (same keys, same tree), for a catalogue
    of its own: the round that uses it prints the same outline. Raises ValidationError (code taken)."""
    with transaction.atomic():
        if OutlineVersion.objects.filter(code=code).exists():
            raise ValidationError({"code": _("An outline version with this code exists already.")})
        version = OutlineVersion(code=code, name=nfc(name).strip(), source_text=source.source_text)
        # The text is the source's, as it is (a version built otherwise may have none).
        version.full_clean(exclude=["source_text"])
        _save_version(version)
        nodes = list(OutlineNode.objects.filter(version=source).order_by("position"))
        parents = {n.pk: n.key for n in nodes}
        OutlineNode.objects.bulk_create([_node_in(version, n) for n in nodes])
        ids = dict(OutlineNode.objects.filter(version=version).values_list("key", "pk"))
        children = [
            OutlineNode(pk=ids[n.key], parent_id=ids[parents[n.parent_id]]) for n in nodes if n.parent_id is not None
        ]
        OutlineNode.objects.bulk_update(children, ["parent"], batch_size=500)
    log.info("outline version %s copied from %s by %s", code, source.code, actor)
    return version
