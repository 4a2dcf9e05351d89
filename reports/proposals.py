"""The units' proposals (kiến nghị, đề xuất) grouped, below the pages and the background task: which
outline section holds them, which texts count, the grouping (core.proposals) and its place in the cache,
keyed by the revision of the texts. reports.selectors.proposals shows it; reports.tasks makes it for a
large round."""

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from core.db import Vietnamese
from core.proposals import THRESHOLD, group_proposals, split_proposals
from core.text import fold, vietnamese_sort_key
from outline.models import OutlineNode

from .models import Report, ReportStatus, SectionText

# Whose proposals count: submitted and approved reports, as the consolidated file counts them.
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)

# How the outline names the section: its heading starts so (folded).
_PROPOSAL_HEADINGS = ("kien nghi", "de xuat", "nhung kien nghi", "nhung de xuat", "cac kien nghi", "cac de xuat")
# Up to this many units' texts are grouped while the page waits (well under a second); more are grouped
# in the background.
INLINE_TEXTS = 150
# How long a grouping is kept: it is keyed by the texts' revision, so it is never stale, only gone.
CACHE_SECONDS = 7 * 24 * 3600
_CACHE_VERSION = 1


def proposals_node(nodes) -> OutlineNode | None:
    """The outline's writable section for proposals among ``nodes`` (of one outline version): the one
    whose heading starts with "Kiến nghị" or "Đề xuất" (the seed's "2. Kiến nghị của cán bộ, đoàn
    viên…"), else one under a heading that names them; None when the outline has none."""
    nodes = list(nodes)
    writable = [n for n in nodes if n.is_writable]
    for node in writable:
        if fold(node.text).lstrip().startswith(_PROPOSAL_HEADINGS):
            return node
    by_pk = {n.pk: n for n in nodes}
    for node in writable:
        parent = by_pk.get(node.parent_id)
        while parent is not None:
            folded = fold(parent.text)
            if "kien nghi" in folded or "de xuat" in folded:
                return node
            parent = by_pk.get(parent.parent_id)
    return None


def proposals_node_of(report: Report) -> OutlineNode | None:
    """``proposals_node`` of the report's round outline (one query)."""
    return proposals_node(
        OutlineNode.objects.filter(version_id=report.round.outline_version_id).only(
            "pk", "key", "text", "parent_id", "is_writable", "version_id", "position", "kind", "number"
        )
    )


def _counted_texts(report: Report, node: OutlineNode):
    """The section texts of ``node`` that count: submitted and approved reports of the grassroots
    unions below ``report``'s unit, as the consolidated file counts them."""
    counted = Report.objects.counted_below(report.round, report.unit).filter(status__in=COUNTED_STATUSES)
    return SectionText.objects.filter(report__in=counted, node=node).exclude(content="")


def _revision(report: Report, node: OutlineNode) -> tuple[str, int]:
    """What the grouping depends on, in one query: which texts count and how often each was saved."""
    found = _counted_texts(report, node).aggregate(
        n=Count("pk"), v=Sum("version"), r=Sum("report_id"), t=Max("updated_at")
    )
    stamp = found["t"].timestamp() if found["t"] else 0
    return f"{found['n']}-{found['v'] or 0}-{found['r'] or 0}-{stamp}", found["n"]


def _cache_key(report: Report, node: OutlineNode, revision: str) -> str:
    return f"proposals:{_CACHE_VERSION}:{report.pk}:{node.pk}:{THRESHOLD}:{revision}"


def member_id(report_id: int, text: str) -> str:
    """A proposal's identity: its report and its folded words ("12:3f9a…")."""
    digest = hashlib.blake2b(" ".join(fold(text).split()).encode(), digest_size=6).hexdigest()
    return f"{report_id}:{digest}"


def compute_groups(report: Report, node: OutlineNode) -> list[dict]:
    """The grouping itself, as plain data the cache keeps: one query for the texts, then
    core.proposals. Each group: ``members`` (member ids), ``proposals`` ((unit name, text) in unit
    order), ``units`` (distinct names, Vietnamese order), ``representative`` (its best wording)."""
    rows = (
        _counted_texts(report, node)
        .order_by(Vietnamese("report__unit__name"), "report_id")
        .values_list("report_id", "report__unit__name", "content")
    )
    proposals = []  # (report id, unit name, text)
    for report_id, unit_name, content in rows.iterator(chunk_size=2000):
        proposals.extend((report_id, unit_name, text) for text in split_proposals(content))
    groups = []
    for group in group_proposals([text for _r, _u, text in proposals]):
        members = [proposals[i] for i in group.members]
        groups.append(
            {
                "members": [member_id(r, t) for r, _u, t in members],
                "proposals": [(u, t) for _r, u, t in members],
                "units": sorted({u for _r, u, _t in members}, key=vietnamese_sort_key),
                "representative": proposals[group.representative][2],
            }
        )
    return groups


def revision(report: Report, node: OutlineNode) -> tuple[str, int]:
    """The cache key of the grouping of ``report``'s units' texts of ``node`` as they stand, and how
    many texts count (one query)."""
    stamp, texts = _revision(report, node)
    return _cache_key(report, node, stamp), texts


def cached_groups(key: str):
    return cache.get(key)


def make_groups(report: Report, node: OutlineNode, key: str) -> list[dict]:
    """Group now and keep the groups under ``key``."""
    groups = compute_groups(report, node)
    cache.set(key, groups, CACHE_SECONDS)
    return groups


def group_now(report: Report) -> int:
    """The background task's work: group and cache ``report``'s units' proposals unless they are in
    the cache already. Returns how many groups."""
    node = proposals_node_of(report)
    if node is None:
        return 0
    key, _texts = revision(report, node)
    groups = cached_groups(key)
    if groups is None:
        groups = make_groups(report, node, key)
    return len(groups)
