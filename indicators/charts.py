"""Server-rendered SVG charts of the comparisons, readable printed in black and white:
black bars, a dashed reference line, every bar labelled with its figure."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from documents.page import FONT

from .figures import show

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 300
PLOT_WIDTH = 320
VALUE_WIDTH = 70


def _frame(title: str, height: int, body: list[str]) -> str:
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart" font-family="{FONT}, serif" '
        f'font-size="12">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _label(text: str, y: int) -> str:
    short = text if len(text) <= 48 else text[:46] + "…"
    return f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'


def target_chart(rows, title: str) -> str:
    """Horizontal bars: % of the resolution's target reached, a dashed line at 100%."""
    rows = [r for r in rows if r.pct_of_target is not None]
    if not rows:
        return ""
    top = max([Decimal(100), *(r.pct_of_target for r in rows)])
    scale = PLOT_WIDTH / float(top)
    height = GAP + len(rows) * (BAR_HEIGHT + GAP) + 20
    body = []
    for i, row in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        pct = row.pct_of_target
        width = max(1.0, float(pct) * scale)
        fill = "#000" if pct >= 100 else "#fff"
        body.append(_label(row.indicator.name, y))
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{fill}" stroke="#000"/>'
        )
        body.append(f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 13}">{escape(show(pct, 1))}%</text>')
    x100 = LABEL_WIDTH + 100 * scale
    body.append(
        f'<line x1="{x100:.1f}" y1="0" x2="{x100:.1f}" y2="{height - 16}" stroke="#000" '
        f'stroke-dasharray="4 3"/>'
        f'<text x="{x100:.1f}" y="{height - 4}" text-anchor="middle">100%</text>'
    )
    return mark_safe(_frame(title, height, body))


def change_chart(rows, title: str) -> str:
    """Diverging bars: change of the latest year against the start of the term, in %."""
    rows = [r for r in rows if r.change_since_start_pct is not None]
    if not rows:
        return ""
    reach = max(abs(float(r.change_since_start_pct)) for r in rows) or 1.0
    half = PLOT_WIDTH / 2
    scale = (half - 10) / reach
    zero = LABEL_WIDTH + half
    height = GAP + len(rows) * (BAR_HEIGHT + GAP) + 20
    body = []
    for i, row in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        pct = float(row.change_since_start_pct)
        width = max(1.0, abs(pct) * scale)
        x = zero if pct >= 0 else zero - width
        # Better-than-start in solid black, worse in white with a black outline.
        better = (pct >= 0) == row.indicator.higher_is_better
        body.append(_label(row.indicator.name, y))
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{"#000" if better else "#fff"}" stroke="#000"/>'
        )
        sign = "+" if pct > 0 else ""
        text_x = zero + width + 4 if pct >= 0 else zero - width - 4
        anchor = "start" if pct >= 0 else "end"
        body.append(
            f'<text x="{text_x:.1f}" y="{y + 13}" text-anchor="{anchor}">'
            f"{sign}{escape(show(row.change_since_start_pct, 1))}%</text>"
        )
    body.append(
        f'<line x1="{zero}" y1="0" x2="{zero}" y2="{height - 16}" stroke="#000"/>'
        f'<text x="{zero}" y="{height - 4}" text-anchor="middle">0</text>'
    )
    return mark_safe(_frame(title, height, body))
