"""The official layout's blocks (Nghị định 30/2020/NĐ-CP, Phụ lục I): the header block (the superior
body and the issuing unit, the national motto, the number, the place and date) and the closing block
(recipients, the signing authority and the signer), as borderless two-column tables."""

from django.utils.translation import gettext as _

from .word import borderless_table, centered, lines_paragraph, rule
from .wordml import paragraph, run, text_paragraph


def vietnamese_date(date, place: str) -> str:
    """ "Bình An, ngày 05 tháng 12 năm 2020": days under 10 and months 1 and 2 take a leading zero."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place or '……'}, ngày {date.day:02d} tháng {month} năm {date.year}"


NATIONAL_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Word groups a name must not be broken inside, and the place name at its end (two syllables).
_KEEP_TOGETHER = (
    "CÔNG ĐOÀN",
    "LIÊN ĐOÀN",
    "LAO ĐỘNG",
    "KHU CÔNG NGHIỆP",
    "CÔNG NGHIỆP",
    "CÔNG TY",
    "CỔ PHẦN",
    "CƠ SỞ",
    "VIÊN CHỨC",
    "THÀNH PHỐ",
    "TRÁCH NHIỆM HỮU HẠN",
)
LEFT_CM, RIGHT_CM = 6.8, 9.2  # the portrait text width (16 cm), as the two header columns share it


def name_lines(name: str, max_chars: int) -> list[str]:
    """A unit's name in capitals, broken into lines of at most ``max_chars`` where it can be,
    never inside a word group ("CÔNG ĐOÀN", "KHU CÔNG NGHIỆP", the closing place name), with the
    lines as even as they can be."""
    words = name.upper().split()
    if len(" ".join(words)) <= max_chars or len(words) < 2:
        return [" ".join(words)]
    text = " ".join(words)
    protected = set()
    for group in _KEEP_TOGETHER:
        start = text.find(group)
        while start >= 0:
            for offset in range(start + 1, start + len(group)):
                protected.add(offset)
            start = text.find(group, start + 1)
    # The last two words are usually a place ("BÌNH AN"): kept together.
    protected.update(range(len(text) - len(words[-1]) - 1 - len(words[-2]), len(text)))
    cuts = [i for i, ch in enumerate(text) if ch == " " and i not in protected] or [
        i for i, ch in enumerate(text) if ch == " "
    ]

    def split(part: str, offset: int) -> list[str]:
        if len(part) <= max_chars:
            return [part]
        inside = [c - offset for c in cuts if offset < c < offset + len(part)]
        if not inside:
            return [part]
        best = min(inside, key=lambda c: max(c, len(part) - c - 1) + (0 if c <= max_chars else 100))
        return [*split(part[:best], offset), *split(part[best + 1 :], offset + best + 1)]

    return split(text, 0)


def header_block(fields: dict, date) -> object:
    """Nghị định 30/2020, Phụ lục I: on the left the superior body, the issuing unit in bold with a
    short rule under it; on the right the national motto (or the round's own heading) with its rule;
    then, on one line, "Số: …/BC-…" on the left and the place and date in italics on the right.
    Names and number as printed on submission."""
    top_left = []
    if fields["superior"]:
        top_left.append(lines_paragraph(name_lines(fields["superior"], 24), size=13))
    top_left.append(lines_paragraph(name_lines(fields["unit"], 22), bold=True, size=13))
    top_left.append(rule(2.2, LEFT_CM))
    heading = fields["heading"]
    if heading:
        top_right = [centered(heading.upper(), bold=True, size=13)]
    else:
        top_right = [centered(NATIONAL_MOTTO[0], bold=True, size=12), centered(NATIONAL_MOTTO[1], bold=True, size=13)]
    top_right.append(rule(4.2, RIGHT_CM))
    number = [centered(_("No.: %(number)s") % {"number": fields["number"]}, size=13)]
    place = [centered(vietnamese_date(date, fields["place"]), italic=True, size=13)]
    return borderless_table([[top_left, top_right], [number, place]], [LEFT_CM, RIGHT_CM])


def closing_block(fields: dict):
    """ "Nơi nhận:" and its list on the left, ending "- Lưu: VT, …"; on the right the signing
    authority ("TM. BAN CHẤP HÀNH", "KT. CHỦ TỊCH"…), the position, room to sign, the name. One row
    that never splits across pages."""
    left = [
        paragraph(
            [run(_("Recipients:"), bold=True, italic=True, size=12)],
            align="left",
            first_line_cm=0,
            after_pt=0,
            line=1.0,
        )
    ]
    for line in fields["recipients"]:
        left.append(text_paragraph(f"- {line};", size=11, align="left", first_line_cm=0, after_pt=0, line=1.0))
    left.append(
        text_paragraph(
            _("- Filed: %(filed)s.") % {"filed": (fields["filed"] or "VT").rstrip(".")},
            size=11,
            align="left",
            first_line_cm=0,
            after_pt=0,
            line=1.0,
        )
    )
    right = []
    if fields["signing_authority"]:
        right.append(centered(fields["signing_authority"].upper(), bold=True, size=13))
    right.append(centered((fields["signer_title"] or _("CHAIR")).upper(), bold=True, size=13, after=66))
    right.append(centered(fields["signer_name"] or "", bold=True, size=14))
    return borderless_table([[left, right]], [LEFT_CM, RIGHT_CM])
