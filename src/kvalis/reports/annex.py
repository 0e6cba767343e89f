"""The final report's participant annex drawn with fpdf2: one plain table, its header row on
every page. WeasyPrint lays out a table row in ~6 ms (5 min for a national programme's 50 000
persons); drawing the same row directly costs a fraction of a millisecond. The look follows
`_final_report_style.html`: A4, the same margins, DejaVu Sans, a grey header row."""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kvalis.lib.pdf import system_font
from kvalis.projects.templatetags.kvalis import hours

FONT = "DejaVu Sans"
# In millimetres, as `_final_report_style.html`.
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
MARGIN_X, MARGIN_Y = 16.0, 18.0
PADDING_X, PADDING_Y = 1.5, 1.0
SIZE = 9.0  # pt; the HTML's 9.5 pt, a little smaller so that long employers' names fit a line
TITLE_SIZE = 12.0
LINE = SIZE * 1.3 * 25.4 / 72
TEXT = (0x1C, 0x24, 0x30)
TITLE = (0x0B, 0x3D, 0x6E)
RULE = (0x9F, 0xB3, 0xC8)
BORDER = (0xB8, 0xC4, 0xD0)
HEADER = (0xEE, 0xF2, 0xF6)
MUTED = (0x55, 0x55, 0x55)
# DejaVu Sans' ascender and descender, in ems: where the baseline sits within a line.
ASCENT, DESCENT = 0.928, 0.236


def annex_fonts() -> tuple[str, str] | None:
    """DejaVu Sans' regular and bold files from the system; None when either is missing (the
    annex is then rendered by WeasyPrint, as the rest of the report)."""
    regular, bold = system_font(FONT), system_font(FONT, bold=True)
    if regular is None or bold is None:
        return None
    return regular, bold


class _Table:
    def __init__(self, pdf, widths: list[float], right: tuple[bool, ...], header: list[str]):
        self.pdf = pdf
        self.widths = widths
        self.right = right
        self.header = header
        self.top = MARGIN_Y
        self.bottom = PAGE_HEIGHT - MARGIN_Y
        self.y = MARGIN_Y

    def measure(self, text: str) -> float:
        """As `FPDF.get_string_width` (no text shaping, no character spacing), without its
        per-call set-up, which was half the time of a row."""
        pdf = self.pdf
        widths = pdf.current_font.cw
        return sum(widths[ord(char)] for char in text) * pdf.font_size_pt * 0.001 / pdf.k

    def lines(self, text: str, width: float) -> list[str]:
        """`text` broken at spaces (inside a word when it has to) to fit `width`."""
        measure = self.measure
        if measure(text) <= width:
            return [text]
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while measure(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
        return lines or [""]

    def row(self, cells: list[str], *, bold: bool = False) -> None:
        pdf = self.pdf
        wrapped = [
            self.lines(text, width - 2 * PADDING_X)
            for text, width in zip(cells, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * LINE + 2 * PADDING_Y
        if self.y + height > self.bottom:
            self.close()
            pdf.add_page()
            self.start(MARGIN_Y)
        if bold:
            pdf.set_fill_color(*HEADER)
            pdf.rect(MARGIN_X, self.y, sum(self.widths), height, style="F")
            # fpdf2 wraps every text in a colour state of its own while the fill colour
            # differs from the text's; with them equal it writes none (less work, smaller pages).
            pdf.set_fill_color(*TEXT)
        size = pdf.font_size  # in millimetres
        baseline = PADDING_Y + (LINE - (ASCENT + DESCENT) * size) / 2 + ASCENT * size
        x = MARGIN_X
        for lines, width, right in zip(wrapped, self.widths, self.right, strict=True):
            for index, line in enumerate(lines):
                left = x + PADDING_X
                if right:
                    left = x + width - PADDING_X - self.measure(line)
                pdf.text(left, self.y + baseline + index * LINE, line)
            x += width
        self.y += height
        pdf.line(MARGIN_X, self.y, MARGIN_X + sum(self.widths), self.y)

    def start(self, top: float) -> None:
        """A new page's part of the table, from `top`: the header row first."""
        self.top = self.y = top
        self.pdf.line(MARGIN_X, top, MARGIN_X + sum(self.widths), top)
        self.pdf.set_font(FONT, "B", SIZE)
        self.row(self.header, bold=True)
        self.pdf.set_font(FONT, "", SIZE)

    def close(self) -> None:
        """The columns' rules of this page, drawn once the table's height on it is known."""
        x = MARGIN_X
        for width in [0.0, *self.widths]:
            x += width
            self.pdf.line(x, self.top, x, self.y)


def annex_pdf(
    project,
    people: Iterable[dict],
    *,
    fonts: tuple[str, str],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The annex as a PDF of its own, to be joined after the report (page numbers are stamped
    on the whole). `people` is read once, as it comes (`annex_people` streams it from the
    database); `progress` is called with the number of persons drawn, every 500."""
    from fpdf import FPDF

    title = _("Annex: list of participants")
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(f"{title} — {project.code}")
    pdf.set_lang("lt")
    pdf.set_creator("Kvalis")
    pdf.set_margins(MARGIN_X, MARGIN_Y, MARGIN_X)
    pdf.set_auto_page_break(False)
    regular, bold = fonts
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.add_page()

    pdf.set_text_color(*TITLE)
    pdf.set_font(FONT, "B", TITLE_SIZE)
    pdf.text(MARGIN_X, MARGIN_Y + pdf.font_size * ASCENT, title)
    rule = MARGIN_Y + pdf.font_size * (ASCENT + DESCENT) + 1
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN_X, rule, PAGE_WIDTH - MARGIN_X, rule)
    top = rule + 2

    pdf.set_text_color(*TEXT)
    pdf.set_draw_color(*BORDER)
    pdf.set_line_width(0.2)
    header = [
        _("No."),
        pgettext("person name", "Name"),
        _("Employer"),
        _("Academic hours"),
    ]
    # The number column as wide as its header, the hours as their header's longer word (it
    # takes two lines); the names share the rest, employers' names being the longer.
    pdf.set_font(FONT, "B", SIZE)
    number = max(pdf.get_string_width(text) for text in (header[0], "99999"))
    credited = max(pdf.get_string_width(text) for text in (*header[3].split(), "9 999,5"))
    number, credited = number + 2 * PADDING_X, credited + 2 * PADDING_X
    rest = PAGE_WIDTH - 2 * MARGIN_X - number - credited
    widths = [number, rest * 0.42, rest * 0.58, credited]
    table = _Table(pdf, widths, (True, False, False, True), header)

    count = 0
    for count, person in enumerate(people, start=1):
        if count == 1:
            table.start(top)
        table.row([str(count), person["name"], person["organisation"], hours(person["hours"])])
        if progress is not None and count % 500 == 0:
            progress(count)
    if count:
        table.close()
    else:  # nobody trained yet: the annex says so
        pdf.set_font(FONT, "", SIZE)
        pdf.set_text_color(*MUTED)
        pdf.text(MARGIN_X, top + LINE, _("Nobody has attended a session yet."))
    return bytes(pdf.output())
