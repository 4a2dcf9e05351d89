"""The Word documents: one report in the official layout (Nghị định 30/2020/NĐ-CP, Phụ lục I), the
blank outline for offline drafting, and a superior union's consolidated report."""

import itertools
import re
from collections.abc import Callable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.richtext import plain_text
from documents.html_docx import html_to_elements, html_to_xml
from documents.official import closing_block, header_block
from documents.page import (
    ANNEX_LABEL_LINES,
    ANNEX_LINE_HEIGHT,
    ANNEX_WORDS_PER_LINE,
    HEADING_LINES,
    LANDSCAPE_TEXT_CM,
    PORTRAIT_TEXT_CM,
    TABLE_ROW_LINES,
    TWIPS_PER_CM,
    document_pages,
    paragraph_lines,
    portrait_pages,
    table_row_lines,
)
from documents.word import DocumentBuilder, centered, rule, ruled_table, styled, table_row
from documents.wordml import el, paragraph, paragraph_xml, run, run_xml, text_paragraph, xml_of
from indicators.figures import previous_labels
from indicators.models import PREVIOUS
from outline.models import NodeKind, OutlineNode, blank_fill
from reports.models import ReportStatus
from reports.selectors import DEFAULT_ROLLUP_STATUSES

from .selectors import Consolidated, ProposalRow, ReportDocument, UnitReport, heading_levels

Progress = Callable[[int, int], None]


def heading_elements(node: OutlineNode, fill: str, *, level: int, followed=True) -> list:
    """The outline's headings as it numbers and words them, blanks filled from the unit and round, in
    Word's heading style of their ``level`` (exports.selectors.heading_levels: none skipped), so that the
    navigation pane and a table of contents show them. A heading is kept with what follows it, unless
    nothing does (an empty section): a run of empty headings kept together would push itself onto the
    next page."""
    text = node.heading_filled(fill)
    # A part's title lines ("PHẦN THỨ HAI", "Nhiệm vụ chủ yếu…", "Những đề xuất và kiến nghị") always
    # keep with what follows: a part has content, and its title is not split over two pages.
    if node.kind == NodeKind.PART:
        return [styled(centered(text, bold=True, size=14, after=0, keep_next=True), f"Heading{level}")]
    if node.kind == NodeKind.PART_HEADING:
        return [centered(text, bold=True, size=14, after=6, keep_next=True)]
    if node.kind == NodeKind.SECTION:
        return [styled(text_paragraph(text, bold=True, keep_next=followed, before_pt=6), f"Heading{level}")]
    if node.kind == NodeKind.ITEM:
        return [styled(text_paragraph(text, bold=True, keep_next=followed), f"Heading{level}")]
    return []


def _title(builder, nodes, fill):
    builder.add(
        paragraph(
            [run(_("REPORT"), bold=True, size=14)],
            align="center",
            first_line_cm=0,
            before_pt=12,
            after_pt=0,
            line=1.0,
        )
    )
    summary = next((n for n in nodes if n.kind == NodeKind.SUMMARY), None)
    if summary:
        builder.add(
            paragraph(
                [run(summary.text_filled(fill), bold=True, size=14)],
                align="center",
                first_line_cm=0,
                after_pt=0,
                line=1.0,
            )
        )
    builder.add(rule(3.0, PORTRAIT_TEXT_CM), paragraph(after_pt=6, line=1.0))


def _body(builder, nodes, fill, texts: dict[str, str], *, guidance=False):
    """The outline's headings and what was written under them; the blank outline (``guidance``) with its
    guidance in italics. ``nodes``: those that print (ReportDocument.printed_nodes)."""
    levels = heading_levels(nodes)
    for node in nodes:
        if node.kind in (NodeKind.TITLE, NodeKind.SUMMARY):
            continue
        if node.kind in (NodeKind.NOTE, NodeKind.CLOSING, NodeKind.GUIDANCE):
            if guidance:
                # The outline's own bullet ("- ") stays, as the seed writes it.
                text = node.text_filled(fill)
                if node.kind == NodeKind.GUIDANCE and node.raw.lstrip().startswith("- "):
                    text = f"- {text}"
                builder.add(text_paragraph(text, italic=True, size=13))
            continue
        body = html_to_elements(texts.get(node.key, "")) if node.is_writable and not guidance else []
        followed = bool(body) or guidance or not node.is_writable
        builder.add(*heading_elements(node, fill, level=levels.get(node.pk, 1), followed=followed))
        builder.add(*body)


# After a slash a line may break (Word and LibreOffice disagree on "/" otherwise): "triệu
# đồng/người/tháng" wraps between its words, never inside one.
_SLASH_BREAK = "/\u200b"


def _appendix_widths(years, *, previous_term: bool = True) -> list[float]:
    """No., indicator, unit, the typed columns, the result, three percentages (without the previous
    term's two columns when there is none): the indicator's name takes what the figures leave of the
    landscape text width."""
    # At 10 pt a figure of 1.234.567 needs 1,6 cm, a change of "+253,3%" 1,6 cm, a share "253,3%" 1,4 cm.
    typed = [1.65] * (len(years) + (3 if previous_term else 2))
    fixed = [0.8, None, 2.0, *typed, 1.75, 1.5, 1.6, *([1.6] if previous_term else [])]
    # The appendix table fills exactly the landscape text width.
    name = LANDSCAPE_TEXT_CM - sum(w for w in fixed if w is not None)
    return [name if w is None else w for w in fixed]


def _appendix_table(rows, *, size=10, previous_term: bool = True, units_total: int | None = None):
    """The appendix as a real Word table filling the landscape text width; its header row repeats
    on every page and no row splits across two. Figures as the page shows them. Without a previous
    term, its two columns are left out (the title says "Không có nhiệm kỳ trước")."""
    years = rows[0].years if rows else []
    previous = previous_labels(previous_whole_term=rows[0].period.previous_whole_term if rows else False)
    labels = [
        _("No."),
        _("Indicator"),
        _("Unit"),
        _("Resolution target"),
        _("Start of term"),
        *[str(y) for y in years],
        *([previous["prev"]] if previous_term else []),
        _("Mid-term result"),
        _("Share of target (%)"),
        # Each cell says its own unit ("+8,0%", "+2,5 điểm %"): a "(%)" here stood over cells in points.
        _("Against start of term"),
        *([previous["against"]] if previous_term else []),
    ]
    widths = _appendix_widths(years, previous_term=previous_term)
    tbl = ruled_table(widths, cell_margin_mm=1.0)  # narrow cell margins: figures keep their width

    def add_row(values, *, header=False):
        tr = table_row(tbl, header=header)
        for index, value in enumerate(values):
            tc = el("w:tc", parent=tr)
            tcpr = el("w:tcPr", parent=tc)
            el("w:tcW", {"w:w": int(widths[index] * TWIPS_PER_CM), "w:type": "dxa"}, tcpr)
            align = "center" if header or index in (0, 2) else ("left" if index == 1 else "right")
            lines = value if isinstance(value, list) else [(value, header, False)]
            runs = []
            for n, (text, bold, italic) in enumerate(lines):
                if n:
                    runs.append(el("w:r", parent=None))
                    el("w:br", parent=runs[-1])
                runs.append(run(text, bold=bold, italic=italic, size=size))
            tc.append(paragraph(runs, align=align, first_line_cm=0, after_pt=0, line=1.0))

    add_row(labels, header=True)
    for number, row in enumerate(rows, 1):
        cmp = row.comparisons
        name = [(row.indicator.name, False, False)]
        if row.is_cumulative:
            name.append((f"({row.result_label})", False, True))
        if counted := row.units_counted_label(units_total):
            name.append((f"({counted})", False, True))
        add_row(
            [
                str(number),
                name,
                row.indicator.unit_of_measure.replace("/", _SLASH_BREAK),
                *[row.shown(row.value(c)) for c in row.columns if previous_term or c != PREVIOUS],
                row.shown_result,
                cmp["pct"],
                cmp["csp"],
                *([cmp["cpp"]] if previous_term else []),
            ]
        )
    return tbl


def _appendix_notes(rows) -> list:
    """The notes and the explanations (giải trình) of unusual figures, numbered as the table."""
    out = []
    for number, row in enumerate(rows, 1):
        parts = []
        if row.note:
            parts.append(row.note)
        if row.explanation:
            parts.append(_("Explanation: %(text)s") % {"text": row.explanation})
        if parts:
            out.append(
                paragraph(
                    [run(f"{number}. {row.indicator.name}: ", bold=True, size=11), run(" ".join(parts), size=11)],
                    align="both",
                    first_line_cm=0,
                    after_pt=2,
                    line=1.0,
                )
            )
    if out:
        heading = paragraph(
            [run(_("Notes and explanations"), bold=True, italic=True, size=12)],
            align="left",
            first_line_cm=0,
            before_pt=6,
            after_pt=2,
            line=1.0,
            keep_next=True,
        )
        out.insert(0, heading)
    return out


def attached_line(fields: dict, date) -> str:
    """ "(Kèm theo Báo cáo số 15/BC-CĐCS ngày 20/11/2026 của …)": which report an appendix belongs to."""
    return _("(Attached to Report No. %(number)s dated %(date)s of %(unit)s)") % {
        "number": fields["number"],
        "date": f"{date:%d/%m/%Y}",
        "unit": fields["unit"],
    }


def _appendix(
    builder,
    rows,
    attached: str | None,
    title_suffix: str = "",
    *,
    no_previous_term: bool = False,
    units_total: int | None = None,
):
    """The appendix in a landscape section: its title "PHỤ LỤC" a level-1 heading (Word's navigation
    pane lists it), "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", the report it is attached to, what it counts."""
    builder.section_break("landscape")
    lines = [
        (_("RESULTS ON THE TARGETS"), True, False, 14, 0),
        *([(attached, False, True, 13, 0)] if attached else []),
        *([(title_suffix, False, True, 13, 0)] if title_suffix else []),
    ]
    if no_previous_term:
        lines.append((_("No previous term"), False, True, 13, 0))
    text, bold, italic, size, _after = lines[-1]
    lines[-1] = (text, bold, italic, size, 6)
    builder.add(
        styled(
            paragraph(
                [run(_("APPENDIX"), bold=True, size=14)],
                align="center",
                first_line_cm=0,
                after_pt=0,
                line=1.0,
                keep_next=True,
            ),
            "Heading1",
        )
    )
    for text, bold, italic, size, after in lines:
        builder.add(
            paragraph(
                [run(text, bold=bold, italic=italic, size=size)],
                align="center",
                first_line_cm=0,
                after_pt=after,
                line=1.0,
                keep_next=True,
            )
        )
    builder.add(_appendix_table(rows, previous_term=not no_previous_term, units_total=units_total))
    builder.add(*_appendix_notes(rows))


def _document_title(nodes, fill) -> str:
    """ "Báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội …": the file's title."""
    summary = next((n for n in nodes if n.kind == NodeKind.SUMMARY), None)
    text = summary.text_filled(fill) if summary else ""
    return f"{_('Report')}: {text}".strip(": ")


def build_report_docx(doc: ReportDocument) -> bytes:
    """One unit's report (exports.selectors.report_document): header block, BÁO CÁO and its summary
    line, the outline's headings with the unit's texts, the closing block, then the appendix in a
    landscape section."""
    fields, nodes = doc.fields, doc.nodes
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    builder.set_properties(title=_document_title(nodes, fill), author=fields["unit"])
    builder.add(header_block(fields, doc.date))
    _title(builder, nodes, fill)
    _body(builder, doc.printed_nodes, fill, doc.texts)
    builder.add_closing(closing_block(fields))
    if doc.rows:
        _appendix(builder, doc.rows, attached_line(fields, doc.date), no_previous_term=doc.no_previous_term)
    return builder.save()


def build_outline_docx(doc: ReportDocument) -> bytes:
    """The outline as a blank document for offline drafting (exports.selectors.outline_document): every
    heading, the guidance in italics, the appendix to fill in by hand."""
    fields, nodes = doc.fields, doc.nodes
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    builder.set_properties(title=_document_title(nodes, fill), author=fields["unit"])
    builder.add(header_block(fields, doc.date))
    _title(builder, nodes, fill)
    _body(builder, nodes, fill, {}, guidance=True)
    builder.add_closing(closing_block(fields))
    if doc.rows:
        _appendix(
            builder,
            doc.rows,
            None,
            _("(To fill in: the figures of %(unit)s)") % {"unit": fields["unit"]},
            no_previous_term=doc.no_previous_term,
        )
    return builder.save()


CONSOLIDATED_PARTS = ("full", "report", "annex")


def _status_words(unit_report: UnitReport) -> str:
    """ "Đã nộp 05/12/2020", "Đã duyệt 10/12/2020", "Bị trả lại", "Đang soạn", "Chưa bắt đầu"."""
    label = unit_report.status_label
    if unit_report.status == ReportStatus.APPROVED and unit_report.approved_at:
        return f"{label} {timezone.localtime(unit_report.approved_at):%d/%m/%Y}"
    if unit_report.status == ReportStatus.SUBMITTED and unit_report.submitted_at:
        return f"{label} {timezone.localtime(unit_report.submitted_at):%d/%m/%Y}"
    return label


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}" if moment else ""


# No., unit, code, status, submitted, approved (cm), at 10 pt: a code "CDCS-CKDA" needs 2,8 cm,
# "Chưa bắt đầu" 2,6 cm, a date "01/12/2026" 2,2 cm.
STATUS_WIDTHS = [1.0, 4.8, 2.9, 2.7, 2.3, 2.3]


def _status_table(unit_reports: list[UnitReport], *, size=10) -> Iterator[str]:
    """Every unit below and where its report stands, under the superior union it belongs to. Written as
    strings (a province's thousands of rows cost seconds as elements), the bytes of the elements, a row
    at a time (a country's 120,000 rows as one string took over a gigabyte): for
    DocumentBuilder.write_table_xml."""
    widths = STATUS_WIDTHS
    labels = [_("No."), pgettext("organisation", "Unit"), _("Code"), _("Status"), _("Submitted"), _("Approved")]
    yield xml_of(ruled_table(widths)).removesuffix("</w:tbl>")

    def row(values, *, header=False, group=False) -> str:
        parts = ["<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else _ROW_START]
        spans = [len(widths)] if group else [1] * len(values)
        for index, (value, span) in enumerate(zip(values, spans, strict=True)):
            width = sum(widths) if group else widths[index]
            span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(width * TWIPS_PER_CM)}" w:type="dxa"/>{span_xml}</w:tcPr>')
            parts.append(
                paragraph_xml(
                    [run_xml(value, bold=header or group, italic=group, size=size)],
                    align="left" if group or index == 1 else "center",
                    first_line_cm=0,
                    after_pt=0,
                    line=1.0,
                )
            )
            parts.append("</w:tc>")
        parts.append("</w:tr>")
        return "".join(parts)

    yield row(labels, header=True)
    group = object()
    for number, unit_report in enumerate(unit_reports, 1):
        parent = unit_report.superior
        if parent != group:
            group = parent
            yield row([parent or "—"], group=True)
        yield row(
            [
                str(number),
                unit_report.name,
                unit_report.code.replace("-", "\u2011"),  # a code never breaks at its hyphen
                unit_report.status_label,
                _when(unit_report.submitted_at) if unit_report.status != ReportStatus.NOT_STARTED else "",
                _when(unit_report.approved_at) if unit_report.status == ReportStatus.APPROVED else "",
            ]
        )
    yield "</w:tbl>"


_ROW_START = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"

# No., proposal, number of CĐCS, the CĐCS (cm, 10 pt): the portrait text width.
PROPOSAL_WIDTHS = [1.0, 7.6, 1.6, 5.8]
# A group asked by many units lists this many names in print; the rest are counted (the page and the
# annex have them all): a province's table stays a few pages.
PRINTED_UNITS_MAX = 20


def _printed_units(row: ProposalRow) -> str:
    names = row.units[:PRINTED_UNITS_MAX]
    text = ", ".join(names)
    if len(row.units) > len(names):
        text += " " + _("and %(count)s more") % {"count": len(row.units) - len(names)}
    return text


def _proposals_table(rows: list[ProposalRow], *, size=10) -> str:
    """ "Tổng hợp kiến nghị của các CĐCS": each group of the units' proposals, its wording, how many
    units asked it and which; the header row repeats on every page."""
    widths = PROPOSAL_WIDTHS
    parts = [xml_of(ruled_table(widths)).removesuffix("</w:tbl>")]

    def add_row(values, *, header=False):
        parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else _ROW_START)
        for index, value in enumerate(values):
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(widths[index] * TWIPS_PER_CM)}" w:type="dxa"/></w:tcPr>')
            parts.append(
                paragraph_xml(
                    [run_xml(value, bold=header, size=size)],
                    align="center" if header or index in (0, 2) else "left",
                    first_line_cm=0,
                    after_pt=0,
                    line=1.0,
                )
            )
            parts.append("</w:tc>")
        parts.append("</w:tr>")

    add_row([_("No."), _("Proposal"), _("Number of CĐCS"), _("The CĐCS")], header=True)
    for row in rows:
        add_row([str(row.number), row.text, str(row.count), _printed_units(row)])
    parts.append("</w:tbl>")
    return "".join(parts)


def _proposals_lines(rows: list[ProposalRow]) -> float:
    """The body lines the proposals table and its title take (documents.page)."""
    lines = HEADING_LINES + TABLE_ROW_LINES * 2
    for row in rows:
        lines += table_row_lines([(row.text, PROPOSAL_WIDTHS[1]), (_printed_units(row), PROPOSAL_WIDTHS[3])])
    return lines


_BLOCK_END = re.compile(r"</(?:p|li|tr|h[1-6])>")


def _paragraph_words(content: str) -> list[int]:
    """The words of each paragraph of a stored text (a list item, a table row count as one)."""
    words = (len(plain_text(block).split()) for block in _BLOCK_END.split(content or ""))
    return [n for n in words if n]


def _status_lines(unit_reports: list[UnitReport]) -> float:
    """The body lines of the status table: its header, a row per unit and one per superior union."""
    groups = len({u.superior for u in unit_reports})
    # A unit's name wraps in its column (a "Công đoàn cơ sở Công ty TNHH …" takes two lines or three).
    rows = sum(table_row_lines([(u.name, STATUS_WIDTHS[1]), (u.code, STATUS_WIDTHS[2])]) for u in unit_reports)
    return TABLE_ROW_LINES * (1 + groups) + rows


def _annex(builder, data: Consolidated, nodes, fill, progress, with_status_table, lines: list[float]):
    """What every unit below wrote, grouped by the outline's headings with their full numbering
    (PHẦN THỨ NHẤT / II. / 3.) in Word heading styles; each unit by name, code and status, drafts
    marked "BẢN NHÁP – chưa nộp". Its cover says whose texts it holds, and lists every unit. Adds the
    body lines it prints to ``lines[0]`` (the page estimate)."""
    unit_reports, include_drafts = data.units, data.include_drafts
    counted = data.counted
    submitted = [r for r in counted if r.status in DEFAULT_ROLLUP_STATUSES]
    builder.add(
        styled(
            paragraph(
                [run(_("ANNEX: WHAT THE UNITS WROTE"), bold=True, size=14)],
                align="center",
                first_line_cm=0,
                after_pt=6,
                line=1.0,
            ),
            "Heading1",
        )
    )
    builder.add(centered(fill, italic=True, size=13, after=6))
    rule = _(
        "This annex holds what the %(counted)s of %(total)s grassroots unions whose report was submitted or "
        "approved wrote; the figures of the appendix count the same reports. Reports not submitted are not included."
    ) % {"counted": len(submitted), "total": len(unit_reports)}
    if include_drafts:
        rule = _(
            "This annex holds what the %(counted)s of %(total)s grassroots unions whose report was submitted or "
            "approved wrote, and the drafts of %(drafts)s more, each marked “BẢN NHÁP – chưa nộp”; the figures of the "
            "appendix count the same reports."
        ) % {"counted": len(submitted), "total": len(unit_reports), "drafts": len(counted) - len(submitted)}
    builder.add(text_paragraph(rule, size=13))
    lines[0] += 3 + paragraph_lines(len(rule.split()), ANNEX_WORDS_PER_LINE)
    if with_status_table:
        lines[0] += 2 + _status_lines(unit_reports)
        builder.add(text_paragraph(_("Where each unit's report stands:"), bold=True, size=13, keep_next=True))
        builder.write_table_xml(_status_table(unit_reports))
        builder.add(paragraph(after_pt=6))
    else:
        builder.add(text_paragraph(_("Where each unit's report stands is in the table before this annex."), size=13))
    if not counted:
        # Every heading followed by "(No unit wrote this section.)" would be pages saying nothing: one line
        # says it, and what makes the annex fill.
        builder.add(
            text_paragraph(
                _(
                    "No report is counted yet: no grassroots union below has submitted its report. The annex "
                    "fills as reports are submitted."
                ),
                bold=True,
                size=13,
            )
        )
        total = len([n for n in nodes if n.is_writable]) + 1
        if progress:
            progress(total - 1, total)
        return total

    by_pk = {n.pk: n for n in nodes}
    writable = [n for n in nodes if n.is_writable]
    position = {n.key: i for i, n in enumerate(writable)}
    reports_by_pk = {r.pk: r for r in counted}
    # The texts come in the outline's order, and within a section in the units' Vietnamese order
    # (exports.selectors): each is written as it comes and dropped, so memory holds a chunk of the query,
    # never a section of a province's units.
    groups = itertools.groupby(data.texts, key=lambda text: text[0])
    group = next(groups, None)
    total = len(writable) + 1
    done = 0
    shown = set()
    # The outline's headings nest under the annex's title (level 1): a part is level 2, and so on.
    levels = heading_levels(nodes, below=1)
    for node in writable:
        chain = []
        cursor = node
        while cursor is not None:
            chain.append(cursor)
            cursor = by_pk.get(cursor.parent_id)
        for ancestor in reversed(chain):
            if ancestor.pk in shown or ancestor.pk not in levels:
                continue
            shown.add(ancestor.pk)
            lines[0] += HEADING_LINES
            align = "center" if ancestor.kind == NodeKind.PART else "both"
            builder.add(
                styled(
                    paragraph(
                        [run(ancestor.heading_filled(fill), bold=True, size=14)],
                        align=align,
                        first_line_cm=0 if ancestor.kind == NodeKind.PART else 1.27,
                        before_pt=6,
                        after_pt=6,
                        line=1.15,
                        keep_next=True,
                    ),
                    f"Heading{levels[ancestor.pk]}",
                )
            )
        # Texts of a section this outline lacks (or has already passed) are not printed, as before.
        while group is not None and position.get(group[0], -1) < position[node.key]:
            group = next(groups, None)
        entries = iter(())
        if group is not None and group[0] == node.key:
            entries = ((reports_by_pk[report_id], content) for _key, content, report_id in group[1])
        written = False
        for unit_report, content in entries:
            written = True
            lines[0] += ANNEX_LINE_HEIGHT * (
                ANNEX_LABEL_LINES + sum(paragraph_lines(w, ANNEX_WORDS_PER_LINE) for w in _paragraph_words(content))
            )
            label = [
                run_xml(
                    f"{unit_report.name} ({unit_report.code}) – {_status_words(unit_report)}",
                    bold=True,
                    italic=True,
                    size=13,
                )
            ]
            if unit_report.status not in DEFAULT_ROLLUP_STATUSES:
                label.append(run_xml(" – BẢN NHÁP – chưa nộp", bold=True, size=13))
            label_xml = paragraph_xml(label, align="left", first_line_cm=0, after_pt=3, line=1.15, keep_next=True)
            builder.add_xml([label_xml, *html_to_xml(content, size=13)])
        if group is not None and group[0] == node.key:
            group = next(groups, None)
        if not written:
            builder.add(text_paragraph(_("(No unit wrote this section.)"), italic=True, size=13))
            lines[0] += 1.5
        done += 1
        if progress:
            progress(done, total)
    return total


def build_consolidated_docx(
    data: Consolidated,
    *,
    part: str = "full",
    progress: Progress | None = None,
    pages: list[int] | None = None,
    out=None,
) -> bytes | None:
    """A superior union's consolidated report; written to ``out`` (a binary file) when given, else
    returned as bytes. ``pages``, when given, receives the estimate of its A4 pages.

    ``part`` "report": its own report as written, the roll-up of its units' appendices and where each
    unit's report stands; "annex": what every unit below wrote, by heading, as a file of its own;
    "full": both. Only submitted and approved reports count, in the texts and in the figures alike;
    ``data.include_drafts`` adds the others, each marked as a draft (exports.selectors.consolidated).
    The report parts end with the table of the units' proposals ("Tổng hợp kiến nghị của các CĐCS").
    ``pages``, when given, gets the estimate of the file's A4 pages (documents.page) appended."""
    if part not in CONSOLIDATED_PARTS:
        raise ValueError(part)
    include_drafts = data.include_drafts
    doc = data.document
    nodes = doc.nodes
    fields = doc.fields
    fill = blank_fill(fields)
    builder = DocumentBuilder()
    title = _document_title(nodes, fill)
    builder.set_properties(
        title=title if part != "annex" else f"{_('Annex: what the units wrote')} – {fill}", author=fields["unit"]
    )
    total = 1
    count = 0
    if part in ("full", "report"):
        totals = data.rollup
        printed = doc.printed_nodes
        count += document_pages(
            paragraphs=[
                w for node in printed if node.is_writable for w in _paragraph_words(doc.texts.get(node.key, ""))
            ],
            headings=sum(1 for node in printed if node.kind in ("part", "section", "item")),
            appendix_rows=len(totals.rows),
        )
        builder.add(header_block(fields, doc.date))
        _title(builder, nodes, fill)
        _body(builder, doc.printed_nodes, fill, doc.texts)
        builder.add_closing(closing_block(fields))
        if totals.rows:
            counted = totals.counted
            suffix = _("Roll-up of %(counted)s of %(total)s grassroots unions below %(unit)s") % {
                "counted": counted,
                "total": totals.total,
                "unit": fields["unit"],
            }
            suffix += " — " + (
                _("submitted and approved reports, and the drafts of units that have not submitted")
                if include_drafts
                else _("submitted and approved reports only")
            )
            _appendix(builder, totals.rows, attached_line(fields, doc.date), suffix, units_total=totals.total)
        builder.section_break("portrait")
        builder.add(
            styled(
                paragraph(
                    [run(_("WHERE EACH UNIT'S REPORT STANDS"), bold=True, size=14)],
                    align="center",
                    first_line_cm=0,
                    after_pt=6,
                    line=1.0,
                    keep_next=True,
                ),
                "Heading1",
            )
        )
        builder.write_table_xml(_status_table(data.units))
        tables = HEADING_LINES + _status_lines(data.units)
        if data.proposals:
            builder.add(paragraph(after_pt=6))
            builder.add(
                styled(
                    paragraph(
                        [run(_("SUMMARY OF THE GRASSROOTS UNIONS' PROPOSALS"), bold=True, size=14)],
                        align="center",
                        first_line_cm=0,
                        before_pt=12,
                        after_pt=6,
                        line=1.0,
                        keep_next=True,
                    ),
                    "Heading1",
                )
            )
            builder.add_xml([_proposals_table(data.proposals)])
            tables += _proposals_lines(data.proposals)
        count += portrait_pages(tables)
    if part == "full":
        builder.page_break()
    if part in ("full", "annex"):
        if part == "annex":
            builder.add(header_block(fields, doc.date))
        lines = [0.0]
        total = _annex(builder, data, nodes, fill, progress, part == "annex", lines)
        if part == "annex":
            lines[0] += 18  # the header block and the title
        count += portrait_pages(lines[0])
    if pages is not None:
        pages.append(count)
    data = builder.save(out)
    if progress:
        progress(total, total)
    return data
