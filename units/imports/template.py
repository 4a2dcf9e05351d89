"""The empty template an administrator downloads and fills in."""

from django.utils import translation
from django.utils.translation import gettext as _

from documents.xlsx import Book, write_text

from ..models import Role
from .columns import COLUMNS, NO, YES, role_label


def build_template() -> bytes:
    """The empty template: one header row, lists to pick "Là CĐCS" and "Vai trò" from, and a
    second sheet explaining each column with an example."""
    with translation.override("vi"):
        book = Book()
        widths = [16, 44, 24, 18, 10, 10, 20, 26, 30, 16]
        ws = book.sheet(_("Units"), widths, header_row=0, header_lines=2)
        # Codes and user names are text, even when they look like numbers (a leading zero stays).
        text = book.fmt(num_format="@")
        for col in (0, 3, 5, 6):  # A, D, F, G
            ws.set_column(col, col, widths[col], text)
        ws.write_row(0, 0, [str(label) for _key, label in COLUMNS], book.header)
        # Lists to pick from; another value is not refused by the spreadsheet (the import says what is wrong).
        for cells, values in (("E2:E20001", [YES, NO]), ("J2:J20001", [role_label(r) for r in Role.values])):
            ws.data_validation(cells, {"validate": "list", "source": values, "ignore_blank": True, "show_error": False})

        guide = book.wb.add_worksheet(_("Guide"))
        guide.set_column(0, 0, 24)
        guide.set_column(1, 1, 100)
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
        wrap = book.fmt(text_wrap=True, valign="top")
        bold = book.fmt(bold=True)
        for r, (a, b) in enumerate(lines):
            write_text(guide, r, 0, a, bold if r in (0, len(lines) - 1) else None)
            write_text(guide, r, 1, b, wrap)
        start = len(lines)
        guide.write_row(start, 0, [str(label) for _key, label in COLUMNS], bold)
        for r, values in enumerate(example, start + 1):
            for c, value in enumerate(values):
                write_text(guide, r, c, value)
        return book.close()
