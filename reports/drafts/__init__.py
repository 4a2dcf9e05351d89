"""A report's draft brought in from Word: model-free reading and matching, used by the import page,
the import service and the ``import_draft`` command.

reading.py turns a .docx into blocks of the editor's HTML (mammoth, bounded first by the zip checks
of outline.reading and the site's HTML limits); matching.py finds the outline's headings among them
(rapidfuzz) and cuts the file into chunks, each suggested for one section or left unplaced, with how
sure the match is; plan.py keeps the chunks as plain data and puts the officer's decisions together
into one text per section. Nothing here queries the database: the outline comes in as plain entries."""

from .matching import Chunk, Entry, match_draft
from .plan import APPEND, DISCARD, KEEP, MODES, REPLACE, Decision, compose_sections, plain_chunks, undecided
from .reading import Draft, DraftRefused, read_draft

__all__ = [
    "APPEND",
    "DISCARD",
    "KEEP",
    "MODES",
    "REPLACE",
    "Chunk",
    "Decision",
    "Draft",
    "DraftRefused",
    "Entry",
    "compose_sections",
    "match_draft",
    "plain_chunks",
    "read_draft",
    "undecided",
]
