"""Word files in the shapes offices send, built in memory with python-docx, for the draft import.

Every body paragraph carries a marker "[key#n]" naming the section it belongs to, so a test can
check where each one landed; ``expected`` maps each marker to its section (or "" for text that
must end up unplaced)."""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from core.text import fold

# The seed outline (fixtures/outline_gnk_2018_2023.json): section → its items, as an office might
# write their headings.
SECTIONS = [
    (
        "I",
        "BỐI CẢNH HOẠT ĐỘNG CÔNG ĐOÀN VÀ TÌNH HÌNH CÔNG NHÂN, VIÊN CHỨC, LAO ĐỘNG",
        [
            ("p1.I.1", "1", "Bối cảnh hoạt động công đoàn"),
            ("p1.I.2", "2", "Tình hình công nhân, viên chức, lao động"),
        ],
    ),
    (
        "II",
        "KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI",
        [
            ("p1.II.1", "1", "Nâng cao hiệu quả thực hiện nhiệm vụ đại diện, bảo vệ quyền lợi hợp pháp của đoàn viên"),
            ("p1.II.2", "2", "Chăm lo lợi ích thiết thực cho đoàn viên và người lao động"),
            ("p1.II.3", "3", "Đổi mới công tác tuyên truyền, vận động"),
            ("p1.II.4", "4", "Xây dựng tổ chức công đoàn vững mạnh"),
            ("p1.II.5", "5", "Phát huy hiệu quả các phong trào thi đua"),
            ("p1.II.6", "6", "Nâng cao chất lượng công tác nữ công"),
            ("p1.II.7", "7", "Công tác kiểm tra và hoạt động của Ủy ban kiểm tra"),
            ("p1.II.8", "8", "Công tác tài chính và hoạt động kinh tế công đoàn"),
            ("p1.II.9", "9", "Công tác chỉ đạo và tổ chức thực hiện"),
        ],
    ),
]
# Sections with a box of their own (no items).
LEAF_SECTIONS = [
    ("p1.III", "III", "KẾT QUẢ THỰC HIỆN CÁC CHƯƠNG TRÌNH CỤ THỂ HÓA CÁC KHÂU ĐỘT PHÁ"),
    ("p1.IV", "IV", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"),
    ("p1.V", "V", "HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN"),
    ("p1.VI", "VI", "BÀI HỌC KINH NGHIỆM"),
]
PART_TWO = [
    ("p2.1", "1", "Từ kết quả thực hiện Nghị quyết Đại hội, nghiên cứu bổ sung nhiệm vụ, giải pháp"),
    ("p2.2", "2", "Kiến nghị của cán bộ, đoàn viên công đoàn, công nhân, viên chức, lao động"),
]


@dataclass
class Built:
    data: bytes
    expected: dict[str, str] = field(default_factory=dict)  # marker → section key ("" unplaced)


class Writer:
    def __init__(self):
        self.document = docx.Document()
        self.expected: dict[str, str] = {}
        self.counter = 0

    def body(self, key, text="Công đoàn đã phối hợp tổ chức nhiều hoạt động cho đoàn viên", style=None, **kw):
        self.counter += 1
        marker = f"[{key or 'x'}#{self.counter}]"
        self.expected[marker] = key
        paragraph = self.document.add_paragraph(style=style)
        paragraph.add_run(f"{marker} {text}")
        if kw.get("bold_word"):
            paragraph.add_run(" tăng mạnh").bold = True
            paragraph.add_run(" và ").italic = False
            paragraph.add_run("nữ chiếm 78%").italic = True
            paragraph.add_run(" so với ")
            paragraph.add_run("đầu nhiệm kỳ").underline = True
        return paragraph

    def heading(self, text, level=1):
        return self.document.add_heading(text, level)

    def bold(self, text):
        paragraph = self.document.add_paragraph()
        paragraph.add_run(text).bold = True
        return paragraph

    def numbered(self, text, style="List Number"):
        return self.document.add_paragraph(text, style=style)

    def build(self) -> Built:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return Built(data=buffer.getvalue(), expected=self.expected)


def _all_items():
    for number, heading, items in SECTIONS:
        yield number, heading, items
    for key, number, heading in LEAF_SECTIONS:
        yield number, heading, [(key, "", "")]


def auto_numbered() -> Built:
    """Headings in Word's heading styles, numbered by Word itself (no number in the text), two
    paragraphs under each item, one with bold, italic and underlined words."""
    w = Writer()
    w.heading("BÁO CÁO ĐÁNH GIÁ GIỮA NHIỆM KỲ", 0)
    w.heading("PHẦN THỨ NHẤT", 1)
    for _number, heading, items in _all_items():
        _numbered_heading(w.heading(heading.capitalize(), 1), num_id=1)
        for key, _n, text in items:
            if text:
                _numbered_heading(w.heading(text, 2), num_id=2)
            w.body(key)
            w.body(key, "Kết quả nổi bật:", bold_word=True)
    w.heading("PHẦN THỨ HAI", 1)
    for key, _n, text in PART_TWO:
        _numbered_heading(w.heading(text, 2), num_id=2)
        w.body(key)
    return w.build()


def _numbered_heading(paragraph, num_id):
    """Give a heading Word's automatic numbering (the number is not in its text)."""
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    numpr.append(ilvl)
    numpr.append(num)
    ppr.append(numpr)


def typed_numbers() -> Built:
    """Typed numbers in headings ("I.", "1.", "1.1"), other case, extra spaces, no diacritics in some."""
    w = Writer()
    w.heading("PHẦN THỨ NHẤT", 1)
    for index, (number, heading, items) in enumerate(_all_items()):
        w.heading(f"{number}.  {heading.lower() if index % 2 else heading}", 1)
        for position, (key, n, text) in enumerate(items):
            if text:
                shown = fold(text) if position % 3 == 1 else text.upper() if position % 3 == 2 else text
                label = f"{n}." if position % 2 else f"{index + 1}.{n}"
                w.heading(f"{label}   {shown}", 2)
            w.body(key)
    w.heading("PHẦN THỨ HAI", 1)
    # The part's own headings, typed as its numbered items.
    part_headings = ("Nhiệm vụ chủ yếu đến hết nhiệm kỳ", "Những đề xuất và kiến nghị")
    for (key, n, _text), text in zip(PART_TWO, part_headings, strict=True):
        w.heading(f"{n}. {text}", 2)
        w.body(key)
    return w.build()


def bold_paragraphs() -> Built:
    """Headings as bold paragraphs in the Normal style, shortened or slightly reworded."""
    w = Writer()
    w.body("", "Kính gửi: Công đoàn cấp trên")  # before the first heading: unplaced
    w.bold("PHẦN THỨ NHẤT")
    reworded = {
        "p1.I.1": "Bối cảnh hoạt động của công đoàn",
        "p1.II.3": "Đổi mới tuyên truyền, vận động",
        "p1.II.5": "Phát huy các phong trào thi đua",
        "p1.II.9": "Chỉ đạo và tổ chức thực hiện",
    }
    for number, heading, items in _all_items():
        w.bold(f"{number}. {heading}")
        for key, n, text in items:
            if text:
                w.bold(f"{n}. {reworded.get(key, text)}")
            w.body(key)
            w.body(key, "Tiếp tục duy trì các hoạt động thường xuyên của tổ công đoàn")
    w.bold("PHẦN THỨ HAI")
    for key, n, text in PART_TWO:
        w.bold(f"{n}. {text}")
        w.body(key)
    return w.build()


def outline_filled() -> Built:
    """The federation's own outline file, in its own words (guidance included), the officer's text
    typed under each item's guidance."""
    w = Writer()
    w.document.add_paragraph("ĐỀ CƯƠNG BÁO CÁO")
    w.document.add_paragraph("Đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS………………..")
    w.document.add_paragraph("PHẦN THỨ NHẤT")
    w.document.add_paragraph("Kết quả giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS……….")
    w.document.add_paragraph("I. BỐI CẢNH HOẠT ĐỘNG CÔNG ĐOÀN VÀ TÌNH HÌNH CÔNG NHÂN, VIÊN CHỨC, LAO ĐỘNG")
    w.document.add_paragraph("1. Bối cảnh hoạt động công đoàn")
    w.document.add_paragraph(
        "- Những thuận lợi, khó khăn tác động đến tổ chức và hoạt động của CĐCS và việc thực hiện Nghị quyết Đại hội"
    )
    w.body("p1.I.1")
    w.document.add_paragraph("2. Tình hình công nhân, viên chức, lao động")
    w.body("p1.I.2")
    w.document.add_paragraph("II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ……………….")
    for key, n, text in SECTIONS[1][2]:
        w.document.add_paragraph(f"{n}. {text}")
        w.body(key)
    for key, number, heading in LEAF_SECTIONS:
        w.document.add_paragraph(f"{number}. {heading}")
        w.body(key)
    w.document.add_paragraph("PHẦN THỨ HAI")
    for key, n, text in PART_TWO:
        w.document.add_paragraph(f"{n}. {text}")
        w.body(key)
    return w.build()


def extra_section() -> Built:
    """An item the outline does not have ("10."), between two it has: its text stays unplaced."""
    w = Writer()
    w.heading("II. KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI", 1)
    w.heading("8. Công tác tài chính và hoạt động kinh tế công đoàn", 2)
    w.body("p1.II.8")
    w.heading("9. Công tác chỉ đạo và tổ chức thực hiện", 2)
    w.body("p1.II.9")
    w.heading("10. Công tác an sinh xã hội tại địa phương", 2)
    w.body("")
    w.body("")
    w.heading("V. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", 1)
    w.body("p1.V")
    return w.build()


def table_and_bullets() -> Built:
    """A table, Word's own bullets (List Bullet), typed bullets ("·", "•", "-", "+") and numbered items."""
    w = Writer()
    w.heading("IV. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", 1)
    w.body("p1.IV", "Các chỉ tiêu chính:")
    table = w.document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "[p1.IV#t1] Chỉ tiêu"
    table.cell(0, 1).text = "Kết quả"
    table.cell(1, 0).text = "[p1.IV#t2] Đoàn viên mới"
    table.cell(1, 1).text = "1.250"
    w.expected["[p1.IV#t1]"] = "p1.IV"
    w.expected["[p1.IV#t2]"] = "p1.IV"
    w.body("p1.IV", "Đoàn viên tăng", style="List Bullet")
    w.body("p1.IV", "Thu nhập ổn định", style="List Bullet")
    w.body("p1.IV", "Bước một", style="List Number")
    w.heading("V. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", 1)
    for bullet in ("·\t", "• ", "- ", "+ "):
        paragraph = w.body("p1.V", "một điểm hạn chế")
        run = paragraph.runs[0]
        run.text = bullet + run.text
    w.heading("VI. BÀI HỌC KINH NGHIỆM", 1)
    paragraph = w.body("p1.VI", "dòng một")
    paragraph.runs[0].add_break()
    paragraph.add_run("dòng hai sau ngắt dòng")
    return w.build()


SHAPES = {
    "auto_numbered": auto_numbered,
    "typed_numbers": typed_numbers,
    "bold_paragraphs": bold_paragraphs,
    "outline_filled": outline_filled,
    "extra_section": extra_section,
    "table_and_bullets": table_and_bullets,
}


def _pixel() -> bytes:
    """A one-pixel PNG."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


_FOOTNOTES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:t>Số liệu của phòng nhân sự.</w:t></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def footnote_and_image() -> bytes:
    """Section V with an image and a paragraph carrying a footnote."""
    w = Writer()
    w.heading("V. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", 1)
    w.document.add_picture(io.BytesIO(_pixel()))
    paragraph = w.body("p1.V", "Đoàn viên tăng chậm")
    reference = OxmlElement("w:r")
    note = OxmlElement("w:footnoteReference")
    note.set(qn("w:id"), "1")
    reference.append(note)
    paragraph._p.append(reference)
    paragraph.add_run(" năm 2020.")
    w.body("p1.V", "Đoạn sau chú thích")
    data = w.build().data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif member.filename == "word/_rels/document.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            target.writestr(member, body)
        target.writestr("word/footnotes.xml", _FOOTNOTES)
    return out.getvalue()
