"""The uploaded units file kept between its preview and its confirmation (or its background import):
per user, under its SHA-256, written under a temporary name and renamed once whole, and read back only
when its hash is its name. A full disk leaves nothing behind; a kept file that is empty or cut is
written again rather than trusted."""

import contextlib
import hashlib
import logging
import os
import re
import secrets
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600  # an upload left without confirmation is removed after a day


def _stored_name(user, digest: str) -> str:
    return f"unit-imports/{user.pk}/{digest}.xlsx"


class KeepFailed(Exception):
    """The uploaded file could not be kept for the confirmation (a full disk, most likely)."""


def keep(user, data: bytes) -> str:
    """Keep the uploaded bytes for the confirmation, per user, under their SHA-256. A kept file
    already there is used only when it reads back whole; otherwise it is written again. Raises
    KeepFailed, leaving nothing behind, when the storage cannot take the file."""
    digest = hashlib.sha256(data).hexdigest()
    folder = f"unit-imports/{user.pk}"
    try:
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                try:
                    old = default_storage.get_modified_time(f"{folder}/{name}").timestamp()
                except OSError:
                    continue
                if time.time() - old > KEEP_SECONDS:
                    default_storage.delete(f"{folder}/{name}")
    except OSError:
        log.warning("old unit-import uploads of user %s could not be removed", user.pk, exc_info=True)
    if kept(user, digest) is None:
        _write_whole(_stored_name(user, digest), data)
    return digest


def _write_whole(name: str, data: bytes) -> None:
    """Write ``data`` at ``name`` all at once: under a temporary name beside it, renamed once complete,
    so that ``name`` holds the whole file or is absent. On failure the temporary file is removed."""
    temporary = f"{name}.{secrets.token_hex(8)}.part"
    saved = None
    try:
        saved = default_storage.save(temporary, ContentFile(data))
        try:
            source, target = default_storage.path(saved), default_storage.path(name)
        except NotImplementedError:
            # A storage without local paths (an object store) writes each object whole.
            default_storage.delete(name)
            default_storage.save(name, ContentFile(data))
            default_storage.delete(saved)
        else:
            os.replace(source, target)
    except OSError as exc:
        for leftover in {temporary, saved} - {None}:
            with contextlib.suppress(OSError):
                default_storage.delete(leftover)
        log.error("a unit-import upload could not be kept at %s: %s", name, exc)
        raise KeepFailed(str(exc)) from exc


def kept(user, digest: str) -> bytes | None:
    if not _DIGEST.match(digest or ""):
        return None
    name = _stored_name(user, digest)
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # What is read back is what was checked: the name is its content's hash.
    return data if hashlib.sha256(data).hexdigest() == digest else None


def forget(user, digest: str) -> None:
    if _DIGEST.match(digest or ""):
        default_storage.delete(_stored_name(user, digest))
