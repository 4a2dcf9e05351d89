"""The empty template an administrator downloads and fills in."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Role
from .columns import COLUMNS, NO, YES, role_label


def build_template() -> bytes:
    """The empty template: one header row, lists to pick "Là CĐCS" and "Vai trò" from, and a
    second sheet explaining each column with an example."""
    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Units")
        bold = Font(name="Times New Roman", size=12, bold=True)
        for index, (_key, label) in enumerate(COLUMNS, 1):
            cell = ws.cell(row=1, column=index, value=str(label))
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for letter, width in zip("ABCDEFGHIJ", (16, 44, 24, 18, 10, 10, 20, 26, 30, 16), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        roles = DataValidation(
            type="list", formula1='"' + ",".join(role_label(r) for r in Role.values) + '"', allow_blank=True
        )
        ws.add_data_validation(yes_no)
        ws.add_data_validation(roles)
        yes_no.add("E2:E20001")
        roles.add("J2:J20001")
        # Codes and user names are text, even when they look like numbers (a leading zero stays).
        for letter in "ADFG":
            ws.column_dimensions[letter].number_format = "@"

        guide = wb.create_sheet(_("Guide"))
        guide.column_dimensions["A"].width = 24
        guide.column_dimensions["B"].width = 100
        lines = [
            (_("Column"), _("What to type")),
            (str(COLUMNS[0][1]), _("Required. The unit's code, unique in the whole tree (e.g. CDCS-MHB).")),
            (
                str(COLUMNS[1][1]),
                _(
                    "The unit's full name. A row with a name describes the unit completely; the next rows of "
                    "the same unit (one per person) may leave the unit's columns empty."
                ),
            ),
            (str(COLUMNS[2][1]), _("Free text: LĐLĐ tỉnh, công đoàn cấp trên trực tiếp cơ sở, CĐCS…")),
            (
                str(COLUMNS[3][1]),
                _(
                    "The code of the unit above it: a unit already on the site or one in this file. Empty: "
                    "a unit at the top of the tree. Changing it moves the unit with everything below it."
                ),
            ),
            (str(COLUMNS[4][1]), _("Yes or No (a grassroots union gets a report when a round opens).")),
            (str(COLUMNS[5][1]), _("The number of its current congress, e.g. V.")),
            (
                str(COLUMNS[6][1]),
                _(
                    "Only for a row about a person: their user name for logging in (letters, digits and "
                    "@ . + - _). A new account gets an e-mail inviting its owner to choose a password."
                ),
            ),
            (str(COLUMNS[7][1]), _("Family name, middle name and given name, e.g. Nguyễn Thị Lan.")),
            (str(COLUMNS[8][1]), _("The address the invitation is sent to.")),
            (
                str(COLUMNS[9][1]),
                _("One of: %(roles)s.") % {"roles": ", ".join(role_label(r) for r in Role.values)},
            ),
            ("", ""),
            (_("Example"), ""),
        ]
        example = [
            ["CDKCN-BA", "Công đoàn các Khu công nghiệp tỉnh Bình An", "Công đoàn cấp trên", "LDLD-BA", NO, "III"],
            ["CDCS-MHB", "Công đoàn cơ sở Công ty TNHH May Hòa Bình", "CĐCS", "CDKCN-BA", YES, "V"],
            ["CDCS-MHB", "", "", "", "", "", "lan.nt", "Nguyễn Thị Lan", "lan@example.com", role_label(Role.DRAFTER)],
        ]
        for r, (a, b) in enumerate(lines, 1):
            guide.cell(row=r, column=1, value=a).font = bold if r in (1, len(lines)) else Font(name="Times New Roman")
            cell = guide.cell(row=r, column=2, value=b)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        start = len(lines) + 1
        for index, (_key, label) in enumerate(COLUMNS, 1):
            guide.cell(row=start, column=index, value=str(label)).font = bold
        for r, values in enumerate(example, start + 1):
            for c, value in enumerate(values, 1):
                guide.cell(row=r, column=c, value=str(value))
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
