"""Proposals (kiến nghị, đề xuất) in plain text: a unit's text cut into its proposals, and many units'
proposals grouped by what they ask.

Vietnamese needs no word segmentation here: a proposal is compared by its syllables, folded (case and
accents dropped, so "luong toi thieu" meets "lương tối thiểu"), as TF-IDF vectors of syllable unigrams
and bigrams (the words and their order) together with character trigrams inside each syllable (a typo
breaks one trigram, not the whole syllable). Groups are made by a single pass that puts each proposal in
the group whose centre it is nearest to, when the cosine reaches ``threshold``, then a second pass that
moves each proposal to its nearest centre (a group found later may fit better), groups whose centres
meet the threshold merged. Candidates come from an inverted index, so the work grows with the number of
proposals times the groups sharing a rare feature, not with all pairs: thousands take about a second.
"""

import heapq
import html
import itertools
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .text import fold, nfc

# Where one proposal ends inside a unit's text: a paragraph, a list item, a line break, a table cell.
_BLOCK_END = re.compile(r"</(?:p|li|td|th|h[1-6])>|<br\s*/?>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
# A bullet or number before a proposal: "- ", "+ ", "• ", "1. ", "2) ", "a) ", "(3) ".
_BULLET = re.compile(r"^\s*(?:[-+•*–—]+|\(?\d{1,2}[.)]|\(?[a-zđ][)]|[ivx]{1,4}[.)])\s*", re.IGNORECASE)
# A line break inside a paragraph that starts a new bullet ("… huyện; - Đề nghị …").
_INLINE_BULLET = re.compile(r"\s(?:[-+•–]|\d{1,2}[.)])\s+(?=[A-ZÀ-Ỹa-zà-ỹĐđ])")
# Sentences: a full stop, "!", "?" or ";" then a capital letter (Vietnamese capitals included).
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])\s+(?=[A-ZÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ])"
)
_WORD = re.compile(r"\w+")
# Fewer words than this is no proposal ("Không có.", "Kiến nghị:").
MIN_WORDS = 4
# An introduction ("Công đoàn cơ sở có một số kiến nghị sau:") ends with a colon and is short.
_INTRO_MAX_WORDS = 16
# Nothing to propose: a whole text or a line that says so.
_NOTHING = {"khong", "khong co", "khong co kien nghi", "khong co de xuat", "khong co kien nghi de xuat"}

# The cosine two proposals' vectors must reach to be put in one group (tests/reports/test_proposals.py
# measures precision and recall of the grouping on varied wordings of known themes).
THRESHOLD = 0.12
KINDS = "wb"
# A feature in more than this share of the proposals says nothing about what one asks.
MAX_SHARE = 0.5
# Pairs less alike than this are not kept (they count as 0 in a group's average): memory and time.
FLOOR = 0.08
# Proposals this alike are one wording (a typo, an accent, a word more): put together before the rest.
NEAR = 0.6


def split_proposals(content: str) -> list[str]:
    """The separate proposals of one unit's text (clean HTML): each paragraph, list item or line, cut
    again at its bullets and sentences; numbering and bullets dropped, an introduction ending with a
    colon and lines of fewer than MIN_WORDS words left out. Order kept, NFC."""
    out = []
    for block in _BLOCK_END.split(content or ""):
        text = " ".join(html.unescape(_TAGS.sub(" ", block)).replace("\u00a0", " ").split())
        if not text:
            continue
        for piece in _INLINE_BULLET.split(f" {text}"):
            for sentence in _SENTENCE_END.split(piece.strip()):
                sentence = _BULLET.sub("", sentence).strip(" ;,")
                words = _WORD.findall(sentence)
                if len(words) < MIN_WORDS:
                    continue
                if sentence.endswith(":") and len(words) <= _INTRO_MAX_WORDS:
                    continue
                if " ".join(fold(sentence).split()).strip(".:;") in _NOTHING:
                    continue
                out.append(nfc(sentence.rstrip(":")))
    return out


# Words that say who is asked or that something is asked, not what: the outline's section is the units'
# requests to the Party committee, the people's committee and the federation, so every proposal names
# them. Folded; longer phrases first.
_BOILERPLATE = [
    "cong doan co so kien nghi",
    "de nghi cac cap",
    "kien nghi de xuat",
    "de nghi",
    "kien nghi",
    "de xuat",
    "mong muon",
    "huyen uy",
    "tinh uy",
    "uy ban nhan dan",
    "ubnd",
    "lien doan lao dong",
    "ldld",
    "cac cap co tham quyen",
    "cac co quan chuc nang",
    "cac cap",
    "cap tren",
    "quan tam",
    "huyen",
    "tinh",
    "thanh pho",
]
_BOILERPLATE_RE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _BOILERPLATE) + r")\b")


def _syllables(text: str) -> list[str]:
    """The folded syllables of ``text`` without the words every proposal has (_BOILERPLATE)."""
    return _WORD.findall(_BOILERPLATE_RE.sub(" ", " ".join(_WORD.findall(fold(text)))))


def features(text: str, kinds: str = "wbc") -> Counter:
    """The features a proposal is compared by: folded syllables (``w``), pairs of neighbouring syllables
    (``b``) and the character trigrams of each syllable with its boundaries (``c``)."""
    syllables = _syllables(text)
    found = Counter()
    if "w" in kinds:
        found.update(f"w:{s}" for s in syllables)
    if "b" in kinds:
        found.update(f"b:{a}_{b}" for a, b in itertools.pairwise(syllables))
    if "c" in kinds:
        for syllable in syllables:
            padded = f"<{syllable}>"
            found.update(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
    return found


def _vectors(texts: Sequence[str], kinds: str) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear term frequency, smoothed idf) of ``texts``. A feature found
    in more than MAX_SHARE of them (and more than a few) is left out: it says nothing about what one
    asks, and it would make every pair a candidate.

    A text given several times (units often send the same words) is worked out once and its vector
    shared, its features counted as often as it is given; the feature names are interned, so each is
    held once, not once per text. The vectors are the ones worked out text by text, held in a fraction
    of the memory (a country's proposals: 1.7 GB before)."""
    index: dict[str, int] = {}
    for t in texts:
        index.setdefault(t, len(index))
    given = Counter(index[t] for t in texts)
    counted = [Counter({sys.intern(f): tf for f, tf in features(t, kinds).items()}) for t in index]
    df = Counter()
    for i, c in enumerate(counted):
        for f in c:
            df[f] += given[i]
    n = len(texts)
    idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items() if d <= max(5, MAX_SHARE * n)}
    del df
    distinct = []
    for i, c in enumerate(counted):
        v = {f: (1 + math.log(tf)) * idf[f] for f, tf in c.items() if f in idf}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        distinct.append({f: w / norm for f, w in v.items()})
        counted[i] = None  # its counts are done with: not held beside every vector
    return [distinct[index[t]] for t in texts]


def _collapse(vectors: list[dict[str, float]], near: float) -> list[list[int]]:
    """Near-identical proposals put together first, cheaply: each joins the first earlier proposal
    (a leader) it is at least ``near`` alike to, else leads a group of its own. Leaders' vectors never
    move, so nothing drifts; this only spares the next step from comparing a thousand copies."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        dots: dict[int, float] = defaultdict(float)
        for f, w in vector.items():
            for leader, wl in postings.get(f, ()):
                dots[leader] += w * wl
        best = min((g for g, dot in dots.items() if dot >= near), default=None)
        if best is not None:
            groups[best].append(i)
            continue
        groups.append([i])
        for f, w in vector.items():
            postings[f].append((len(groups) - 1, w))
    return groups


def _links(sums: list[dict[str, float]], sizes: list[int], floor: float) -> dict[int, dict[int, float]]:
    """Between every two groups whose members are on average at least ``floor`` alike: the sum of the
    cosines of their members (the dot product of their vectors' sums), found through an inverted index,
    so only groups sharing a feature are ever compared. {g: {h: sum}} both ways."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    links: dict[int, dict[int, float]] = {g: {} for g in range(len(sums))}
    for g, total in enumerate(sums):
        dots: dict[int, float] = defaultdict(float)
        for f, w in total.items():
            for h, wh in postings[f]:
                dots[h] += w * wh
            postings[f].append((g, w))
        for h, dot in dots.items():
            if dot >= floor * sizes[g] * sizes[h]:
                links[g][h] = dot
                links[h][g] = dot
    return links


def _average_linkage(groups: list[list[int]], links: dict[int, dict[int, float]], threshold: float) -> list[list[int]]:
    """Agglomerative grouping by average linkage: the two groups whose proposals are, on average, the
    most alike are joined, until no two groups reach ``threshold``. Links below the floor count as 0.
    A heap with stale entries skipped; ties broken by index (deterministic)."""
    members = {g: list(m) for g, m in enumerate(groups)}
    heap = [
        (-s / (len(members[g]) * len(members[h])), g, h)
        for g, near in links.items()
        for h, s in near.items()
        if g < h and s >= threshold * len(members[g]) * len(members[h])
    ]
    heapq.heapify(heap)
    while heap:
        score, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        current = links[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if abs(current + score) > 1e-12:
            continue  # stale: one of the two grew since
        # b joins a.
        members[a].extend(members.pop(b))
        for c, s in links.pop(b).items():
            if c == a:
                continue
            links[a][c] = links[a].get(c, 0.0) + s
            links[c][a] = links[a][c]
            del links[c][b]
        del links[a][b]
        size = len(members[a])
        for c, s in links[a].items():
            average = s / (size * len(members[c]))
            if average >= threshold:
                heapq.heappush(heap, (-average, min(a, c), max(a, c)))
    return list(members.values())


@dataclass(frozen=True)
class Group:
    """Proposals that ask the same: their indexes in the order given, and the one that says it best
    (the nearest to all the others: its vector's dot product with the group's sum is the largest)."""

    members: list[int]
    representative: int


def group_proposals(texts: Sequence[str], *, threshold: float = THRESHOLD, kinds: str = KINDS) -> list[Group]:
    """Group ``texts`` by what they ask (see the module's docstring), groups largest first, then by
    their first member. Deterministic: the same texts in the same order give the same groups."""
    if not texts:
        return []
    vectors = _vectors(texts, kinds)
    groups = _collapse(vectors, max(NEAR, threshold))
    sums = [_sum(vectors, members) for members in groups]
    links = _links(sums, [len(g) for g in groups], min(FLOOR, threshold))
    out = []
    for members in _average_linkage(groups, links, threshold):
        members = sorted(members)
        total = _sum(vectors, members)
        best = max(members, key=lambda i: (sum(w * total[f] for f, w in vectors[i].items()), -i))
        out.append(Group(members=members, representative=best))
    return sorted(out, key=lambda g: (-len(g.members), g.members[0]))


def _sum(vectors, members) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for i in members:
        for f, w in vectors[i].items():
            total[f] += w
    return total


def pairwise_scores(predicted: Sequence[int], truth: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall of a grouping: of the pairs put in one group, the share that
    belong together (``truth``); of the pairs that belong together, the share put in one group.
    ``predicted`` and ``truth``: a group label per item."""
    same_group = Counter(predicted)
    same_truth = Counter(truth)
    both = Counter(zip(predicted, truth, strict=True))

    def pairs(counts):
        return sum(n * (n - 1) // 2 for n in counts.values())

    together = pairs(both)
    grouped, belong = pairs(same_group), pairs(same_truth)
    return (together / grouped if grouped else 1.0, together / belong if belong else 1.0)
