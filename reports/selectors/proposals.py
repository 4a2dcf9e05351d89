"""The units' proposals (kiến nghị, đề xuất) for a superior union's own report: the outline's section
that holds them, cut into single proposals and grouped by what they ask (core.proposals), each group
with its count of units, the units, and the superior's own wording where its office wrote one.

Grouping thousands of proposals takes seconds: it is done once per revision of the units' texts (the
count, versions, report ids and last change of the section's texts counted) and kept in the cache; a
page that finds none queues ``reports.tasks.group_unit_proposals`` for a large round
(``services.proposals_group_later``) and says so, and groups a small round at once."""

import hashlib
from dataclasses import dataclass, field

from outline.models import OutlineNode

from ..models import ProposalWording, Report
from ..proposals import INLINE_TEXTS, cached_groups, make_groups, proposals_node_of, revision


@dataclass
class ProposalGroup:
    """A group of proposals as the page and the Word file show it."""

    number: int
    key: str  # stable while the grouping is: the hash of its members
    text: str  # the superior's wording if its office wrote one, else the best of the units'
    units: list[str]
    proposals: list[tuple[str, str]]  # (unit name, what it wrote)
    members: list[str]
    wording: ProposalWording | None = None

    @property
    def count(self) -> int:
        """How many units asked this (a unit counted once however many times it asked)."""
        return len(self.units)


@dataclass
class Proposals:
    """The units' proposals of one superior union's report: ``node`` None when the outline has no such
    section; ``groups`` None while they are being grouped in the background."""

    node: OutlineNode | None
    texts: int = 0  # the units' texts of the section that count
    groups: list[ProposalGroup] | None = field(default=None)
    cache_key: str = ""  # of the grouping being waited for (services.proposals_group_later)
    heading: str = ""  # the section's heading as the report prints it (placeholders filled)

    @property
    def pending(self) -> bool:
        return self.node is not None and self.groups is None

    @property
    def proposals(self) -> int:
        return sum(len(g.proposals) for g in self.groups or [])


def _group_key(members: list[str]) -> str:
    return hashlib.blake2b("|".join(members).encode(), digest_size=8).hexdigest()


def _with_wordings(report: Report, groups: list[dict]) -> list[ProposalGroup]:
    """The cached groups with the superior's wordings (one query): a wording goes to the group that
    holds most of the proposals it was written for; a group takes at most one (the best, then the newest)."""
    out = [
        ProposalGroup(
            number=n,
            key=_group_key(g["members"]),
            text=g["representative"],
            units=g["units"],
            proposals=[p if isinstance(p, tuple) else tuple(p) for p in g["proposals"]],
            members=g["members"],
        )
        for n, g in enumerate(groups, 1)
    ]
    where = {m: i for i, g in enumerate(out) for m in g.members}
    candidates = []
    for wording in ProposalWording.objects.filter(report=report).select_related("updated_by").order_by("-updated_at"):
        overlap: dict[int, int] = {}
        for m in wording.members:
            if (i := where.get(m)) is not None:
                overlap[i] = overlap.get(i, 0) + 1
        for i, shared in overlap.items():
            candidates.append((-shared, -wording.updated_at.timestamp(), i, wording))
    used = set()
    for _shared, _when, i, wording in sorted(candidates, key=lambda c: c[:3]):
        if out[i].wording is None and wording.pk not in used:
            out[i].wording, out[i].text = wording, wording.text
            used.add(wording.pk)
    return out


def unit_proposals(report: Report, *, wait: bool = False) -> Proposals:
    """The grouped proposals of the units below ``report``'s unit (its own report), from the cache.
    When the cache has none: grouped here if ``wait`` or the texts are few (INLINE_TEXTS), else
    ``groups`` is None (the page queues the background task: services.proposals_group_later). A fixed
    number of queries."""
    node = proposals_node_of(report)
    if node is None:
        return Proposals(node=None)
    heading = node.heading_filled(report.blank_fill)
    key, texts = revision(report, node)
    groups = cached_groups(key)
    if groups is None:
        if not (wait or texts <= INLINE_TEXTS):
            return Proposals(node=node, texts=texts, cache_key=key, heading=heading)
        groups = make_groups(report, node, key)
    return Proposals(node=node, texts=texts, groups=_with_wordings(report, groups), heading=heading)
