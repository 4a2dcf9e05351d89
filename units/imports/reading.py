"""Reading the workbook: its rows by column key, numbered as the spreadsheet numbers them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.text import fold
from core.workbook import WorkbookRefused, read_rows

from .columns import COLUMNS, IMPORT_LIMITS, _labels, _text


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    is_grassroots: bool
    congress_number: str

    def fields(self):
        return (self.name, self.kind, self.parent, self.is_grassroots, self.congress_number)


def _read(data: bytes) -> list[tuple[int, dict]]:
    """The file's rows as {key: text}, numbered as the spreadsheet numbers them. Raises
    WorkbookRefused when the file is not a workbook, is over the limits or has other columns."""
    rows = read_rows(data, IMPORT_LIMITS, max_col=len(COLUMNS) + 10)
    if not rows:
        raise WorkbookRefused(_("The file is empty: download the template and fill it in."))
    header = [fold(_text(h)) for h in rows[0]]
    positions = {}
    for key, label in COLUMNS:
        forms = _labels(label)
        found = [i for i, h in enumerate(header) if h in forms]
        if not found:
            raise WorkbookRefused(
                _("The column “%(column)s” is missing: download the template and fill it in.") % {"column": label}
            )
        positions[key] = found[0]
    out = []
    for number, values in enumerate(rows[1:], 2):
        record = {key: values[pos] if pos < len(values) else None for key, pos in positions.items()}
        if all(_text(v) == "" for v in record.values()):
            continue
        out.append((number, record))
    if not out:
        raise WorkbookRefused(_("The file is empty: download the template and fill it in."))
    return out
