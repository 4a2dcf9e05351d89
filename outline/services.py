"""Writes of outlines: publishing a new version from its text; drafts made, edited and published."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import format_number, nfc

from .models import OutlineDraft, OutlineNode, OutlineVersion
from .parsing import OutlineFormatError, check_outline, parse_outline
from .reading import MAX_CHARS, MAX_LINES

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


def _code_free(code: str, *, draft: OutlineDraft | None = None) -> None:
    """A draft's code is the version's it will publish: taken by neither a version nor another draft."""
    if OutlineVersion.objects.filter(code=code).exists():
        raise ValidationError({"code": _("An outline version with this code exists already.")})
    if OutlineDraft.objects.filter(code=code).exclude(pk=getattr(draft, "pk", None)).exists():
        raise ValidationError({"code": _("A draft with this code exists already: open it from the outline page.")})


def outline_draft_create(*, base: OutlineVersion, code: str, name: str, actor) -> OutlineDraft:
    """A draft holding ``base``'s text, to be edited and published as the version ``code``."""
    if not base.source_text.strip():
        raise ValidationError(
            _(
                "This version has no outline text to copy (it was not made from a file): upload its outline file "
                "instead."
            )
        )
    with transaction.atomic():
        _code_free(code)
        draft = OutlineDraft(
            code=code, name=nfc(name).strip(), base=base, text=nfc(base.source_text), created_by=actor, updated_by=actor
        )
        draft.full_clean()
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError:
            raise ValidationError(
                {"code": _("A draft with this code exists already: open it from the outline page.")}
            ) from None
    log.info("outline draft %s made from %s by %s", code, base.code, actor)
    return draft


def draft_lock_reason(draft: OutlineDraft) -> str | None:
    """Why the draft cannot be changed any more (it was published), in words; None while it can."""
    if not draft.is_published:
        return None
    return _(
        "This draft was published as “%(name)s” and a published outline is not changed: copy that version "
        "into a new draft to edit it."
    ) % {"name": draft.published_version.name if draft.published_version else draft.name}


def _refuse_published(draft: OutlineDraft) -> None:
    if (reason := draft_lock_reason(draft)) is not None:
        raise ValidationError(reason, code="published")


def _locked(draft: OutlineDraft) -> OutlineDraft:
    # The draft's row alone: PostgreSQL refuses FOR UPDATE on the outer join of its published version.
    return OutlineDraft.objects.select_for_update(of=("self",)).select_related("published_version").get(pk=draft.pk)


def outline_draft_save(*, draft: OutlineDraft, text: str, revision: int, actor) -> OutlineDraft:
    """Store ``text`` as the draft's outline, edited from ``revision``; both editors (the parts, sections
    and items, and the text box) write through here. Raises ValidationError, in words, when the draft is
    published, changed since ``revision``, or the text cannot be published as it is (it does not parse,
    or check_outline finds errors); nothing is stored then. Warnings (numbering, another term's years)
    are the page's to show, never a refusal."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    # The bounds of an uploaded outline hold for one written here, line by line added.
    if len(text) > MAX_CHARS or text.count("\n") >= MAX_LINES:
        raise ValidationError(
            {
                "text": _("The outline is too long (at most %(lines)s lines): nothing was saved.")
                % {"lines": format_number(MAX_LINES)}
            }
        )
    try:
        nodes = parse_outline(text)
    except OutlineFormatError as exc:
        raise ValidationError({"text": exc.message}) from None
    check = check_outline(nodes)
    if check.errors:
        raise ValidationError({"text": check.errors})
    with transaction.atomic():
        locked = _locked(draft)
        _refuse_published(locked)
        if locked.revision != revision:
            raise ValidationError(
                _(
                    "Someone (or this page in another tab) saved the draft since you opened it. The page shows "
                    "the draft as it is now, with what you typed kept in its box: check it and save again."
                ),
                code="stale",
            )
        locked.text = text
        locked.revision += 1
        locked.updated_by = actor
        locked.full_clean()
        locked.save(update_fields=["text", "revision", "updated_by", "updated_at"])
    log.info("outline draft %s saved by %s (revision %d)", locked.code, actor, locked.revision)
    draft.text, draft.revision, draft.updated_by = locked.text, locked.revision, actor
    return locked


def outline_draft_publish(*, draft: OutlineDraft, actor) -> OutlineVersion:
    """Publish the draft as a new outline version (``outline_version_publish``, its code and name) and keep
    the draft, read-only, as where it came from. Raises ValidationError as that service does."""
    with transaction.atomic():
        locked = _locked(draft)
        _refuse_published(locked)
        version = outline_version_publish(code=locked.code, name=locked.name, source=locked.text, actor=actor)
        locked.published_version = version
        locked.published_at = timezone.now()
        locked.updated_by = actor
        locked.save(update_fields=["published_version", "published_at", "updated_by", "updated_at"])
    return version
