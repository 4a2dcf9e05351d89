"""The baselines `make bench` compares the consolidated files with: the same content, written the plainest
fast way there is. Never used by the site.

- ``fair_docx``: the consolidated Word file's content (header block with the motto, number, place and
  date, title, the superior's own report, the appendix table of the roll-up, the status table, the annex
  of every counted unit's texts under the outline's headings) put through plain string building: each
  text's HTML turned into WordprocessingML by a regular expression tokenizer (paragraphs, bold, italic,
  underline, line breaks, bulleted and numbered lists, tables), zipped with python-docx's own template
  parts. It reads its data through the same selector, so the same queries.
- ``record_xlsx`` / ``replay_xlsx``: every call the workbook builder makes on XlsxWriter, recorded once
  (not timed), then replayed into a new XlsxWriter workbook in constant-memory mode (not in memory,
  which would silently switch constant memory off): the same cells, formulas, cached values and formats,
  with none of the site's work around them. ``fetch_rows`` is the plainest read of the same figures and
  unit names, so the baseline also pays for getting its data.
"""

import html
import io
import marshal
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.text import format_number
from exports.selectors import Consolidated
from reports.models import IndicatorValue

TEMPLATE = Path(docx.__file__).parent / "templates" / "default.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TOKEN = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>|([^<]+)")
RUN_TAGS = {"strong": "<w:b/>", "b": "<w:b/>", "em": "<w:i/>", "i": "<w:i/>", "u": '<w:u w:val="single"/>'}
HEADING_STYLES = {"part": "Heading1", "section": "Heading2", "item": "Heading3"}
RPR = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="28"/>'


def _run(text: str, marks: list[str]) -> str:
    return f'<w:r><w:rPr>{RPR}{"".join(marks)}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(runs: str, style: str = "", align: str = "") -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + (f'<w:jc w:val="{align}"/>' if align else "")
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def html_to_wml(content: str) -> str:
    """Section HTML (the editor's allow-list) as WordprocessingML, by string building."""
    out, runs, marks, lists = [], [], [], []
    cells: list[list[str]] | None = None

    def flush(style=""):
        if runs:
            paragraph = _para("".join(runs), style, "both")
            if cells is not None and cells:
                cells[-1].append(paragraph)
            else:
                out.append(paragraph)
            runs.clear()

    rows: list[list[list[str]]] = []
    for closing, tag, text in TOKEN.findall(content):
        if text:
            runs.append(_run(html.unescape(text), marks))
            continue
        tag = tag.lower()
        if tag in RUN_TAGS:
            if closing:
                if RUN_TAGS[tag] in marks:
                    marks.remove(RUN_TAGS[tag])
            else:
                marks.append(RUN_TAGS[tag])
        elif tag == "br":
            runs.append("<w:r><w:br/></w:r>")
        elif tag in ("ul", "ol"):
            flush()
            lists.pop() if closing else lists.append("List Number" if tag == "ol" else "List Bullet")
        elif tag == "li" and closing:
            flush(lists[-1] if lists else "")
        elif tag in ("p", "h1", "h2", "h3", "h4") and closing:
            flush()
        elif tag == "table":
            if closing:
                grid = "".join(
                    "<w:tr>" + "".join(f"<w:tc>{''.join(c) or '<w:p/>'}</w:tc>" for c in row) + "</w:tr>"
                    for row in rows
                )
                out.append(f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>{grid}</w:tbl>')
                rows, cells = [], None
            else:
                rows = []
        elif tag == "tr" and not closing:
            cells = []
            rows.append(cells)
        elif tag in ("td", "th"):
            if closing:
                flush()
            elif cells is not None:
                cells.append([])
    flush()
    return "".join(out)


def fair_docx(data: Consolidated) -> bytes:
    """The consolidated Word file's content by plain string building (see the module's docstring)."""
    document = data.document
    fields = document.fields
    body = [
        "<w:tbl><w:tr><w:tc>",
        _para(_run(str(fields.get("superior_name", "")), []), align="center"),
        _para(_run(data.unit_name, ["<w:b/>"]), align="center"),
        "</w:tc><w:tc>",
        _para(_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", ["<w:b/>"]), align="center"),
        _para(_run("Độc lập - Tự do - Hạnh phúc", ["<w:b/>"]), align="center"),
        "</w:tc></w:tr><w:tr><w:tc>",
        _para(_run(f"Số: {fields.get('doc_number', '')}", []), align="center"),
        "</w:tc><w:tc>",
        _para(_run(f"{fields.get('place', '')}, ngày {document.date:%d} tháng {document.date:%m}", ["<w:i/>"])),
        "</w:tc></w:tr></w:tbl>",
        _para(_run("BÁO CÁO", ["<w:b/>"]), align="center"),
        _para(_run(document.round_name, ["<w:b/>"]), align="center"),
    ]
    for node in document.nodes:
        if node.kind in HEADING_STYLES:
            body.append(_para(_run(node.text, ["<w:b/>"]), HEADING_STYLES[node.kind]))
        if content := document.texts.get(node.key):
            body.append(html_to_wml(content))
    if data.rollup is not None:
        body.append(_para(_run("PHỤ LỤC SỐ LIỆU", ["<w:b/>"]), align="center"))
        body.append('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>')
        for row in data.rollup.rows:
            cells = [row.indicator.code, row.indicator.name, row.indicator.unit_of_measure]
            cells += [format_number(row.value(c), row.indicator.decimals) for c in row.columns]
            cells.append(format_number(row.result, row.indicator.decimals))
            body.append("<w:tr>" + "".join(f"<w:tc>{_para(_run(c, []))}</w:tc>" for c in cells) + "</w:tr>")
        body.append("</w:tbl>")
    body.append('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>')
    for unit in data.units:
        cells = [
            unit.superior,
            unit.code,
            unit.name,
            unit.status_label,
            f"{unit.submitted_at:%d/%m/%Y}" if unit.submitted_at else "",
            f"{unit.approved_at:%d/%m/%Y}" if unit.approved_at else "",
        ]
        body.append("<w:tr>" + "".join(f"<w:tc>{_para(_run(c, []))}</w:tc>" for c in cells) + "</w:tr>")
    body.append("</w:tbl>")
    names = {u.pk: u for u in data.units}
    headings = {node.key: node for node in document.nodes}
    current = None
    for key, content, report_pk in data.texts:
        if key != current:
            current = key
            node = headings.get(key)
            if node is not None:
                body.append(_para(_run(node.text, ["<w:b/>"]), HEADING_STYLES.get(node.kind, "Heading3")))
        unit = names.get(report_pk)
        if unit is not None:
            body.append(_para(_run(f"{unit.name} ({unit.code}) — {unit.status_label}", ["<w:b/>"])))
        body.append(html_to_wml(content))
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
        + "".join(body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(TEMPLATE) as template, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, template.read(item.filename))
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


# Worksheet methods the builder calls; a method called from inside another (write → write_number)
# is not recorded twice.
RECORDED = [
    name
    for name in dir(Worksheet)
    if not name.startswith("_")
    and callable(getattr(Worksheet, name))
    and name.startswith(("write", "set_", "freeze", "merge", "repeat", "fit_", "hide", "autofilter"))
]


def record_xlsx(build, path: Path) -> None:
    """Run ``build()`` (the site's workbook builder) and record every XlsxWriter call it makes to ``path``
    (marshal: loads in seconds even for millions of cells)."""
    calls: list = []
    formats: dict[int, int] = {}
    depth = [0]
    originals = {}

    def arg(value):
        if isinstance(value, Format):
            return ("__format__", formats.setdefault(id(value), len(formats)))
        if hasattr(value, "isoformat"):
            return ("__date__", value.isoformat(), type(value).__name__)
        return value

    def wrap(name, method):
        def recorded(self, *args, **kwargs):
            if depth[0] == 0:
                calls.append((self.name, name, tuple(arg(a) for a in args), {k: arg(v) for k, v in kwargs.items()}))
            depth[0] += 1
            try:
                return method(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        return recorded

    format_props: list = []
    add_format = xlsxwriter.Workbook.add_format

    def recorded_format(self, properties=None):
        made = add_format(self, properties)
        formats[id(made)] = len(format_props)
        format_props.append(dict(properties or {}))
        return made

    for name in RECORDED:
        originals[name] = getattr(Worksheet, name)
        setattr(Worksheet, name, wrap(name, originals[name]))
    xlsxwriter.Workbook.add_format = recorded_format
    try:
        build()
    finally:
        for name, method in originals.items():
            setattr(Worksheet, name, method)
        xlsxwriter.Workbook.add_format = add_format
    sheets = list(dict.fromkeys(sheet for sheet, *_rest in calls))
    path.write_bytes(marshal.dumps((format_props, sheets, calls)))


def _value(value, formats):
    import datetime

    if isinstance(value, tuple) and value and value[0] == "__format__":
        return formats[value[1]]
    if isinstance(value, tuple) and value and value[0] == "__date__":
        kind = datetime.datetime if value[2] == "datetime" else datetime.date
        return kind.fromisoformat(value[1])
    return value


def load_recording(path: Path):
    return marshal.loads(path.read_bytes())


def replay_xlsx(recording) -> bytes:
    """Write the recorded calls into a new constant-memory workbook (see the module's docstring)."""
    format_props, sheets, calls = recording
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        wb = xlsxwriter.Workbook(
            buffer,
            {"constant_memory": True, "tmpdir": tmp, "strings_to_formulas": False, "strings_to_urls": False},
        )
        default = wb.formats[0]
        default.set_font_name("Times New Roman")
        default.set_font_size(12)
        # The formats XlsxWriter makes itself when a workbook opens (default, hyperlink) were recorded too:
        # they are this workbook's own, in the same order.
        own = iter(list(wb.formats))
        formats = [
            next(own) if "xf_index" in props or props.get("hyperlink") else wb.add_format(props)
            for props in format_props
        ]
        worksheets = {name: wb.add_worksheet(name) for name in sheets}
        for sheet, name, args, kwargs in calls:
            getattr(worksheets[sheet], name)(
                *(_value(a, formats) for a in args), **{k: _value(v, formats) for k, v in kwargs.items()}
            )
        wb.close()
    return buffer.getvalue()


def fetch_rows(own) -> int:
    """The plainest read of what the workbook's detail sheet shows: every counted figure with its unit's
    code and name and its indicator's code, name and unit, streamed. Returns how many rows."""
    rows = (
        IndicatorValue.objects.filter(
            report__round_id=own.round_id,
            report__unit__path__startswith=own.unit.path,
            report__unit__is_grassroots=True,
            report__status__in=("submitted", "approved"),
        )
        .values_list(
            "report__unit__code",
            "report__unit__name",
            "indicator__code",
            "indicator__name",
            "indicator__unit_of_measure",
            "column",
            "value",
        )
        .iterator(chunk_size=5000)
    )
    return sum(1 for _row in rows)
