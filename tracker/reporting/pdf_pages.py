"""The PDF of a report, drawn with fpdf2: A4 landscape, the title block, the summary, the
four classes as bars, the report table and the task list, with page numbers.

Tables are laid out here rather than by an HTML engine: each cell's text is wrapped at word
boundaries by the measured width of its words (a word wider than its cell is cut), a row is
as tall as its tallest cell, a row that does not fit starts a new page under the table's
header again. WeasyPrint took about 20 s and 560 MB for 1,000 task rows on the bench's
machine (Pango shapes every cell of an HTML table, and the page counter lays it out twice);
drawing the same rows this way takes about 2 s and 70 MB, and a national period report's
3,000 unit rows a few seconds. The text is Unicode in DejaVu Sans, embedded (subset): every
Vietnamese letter prints as written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from ..domain.timeliness import TIMELINESS_ORDER, TimelinessCounts
from ..infra import fonts
from ..infra.i18n import translated
from .charts import CLASS_STYLE
from .report_tables import TEXT, Column

# A4 landscape, in millimetres: the page and its margins (left, top, right, bottom).
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0
LEFT, TOP, RIGHT, BOTTOM = 12.0, 14.0, 12.0, 16.0
BODY_WIDTH = PAGE_WIDTH - LEFT - RIGHT  # 273 mm
POINT = 0.3528  # mm
GRID, HEADING_FILL, TOTAL_FILL = (153, 153, 153), (232, 237, 243), (244, 244, 244)
FONT = "DejaVu"


class _Document(FPDF):
    """Pages with the report's name and date at the bottom left, and "Page 1 of 5" at the
    bottom right."""

    def __init__(self, footer_left: str, page_words: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        for style, name in fonts.FONT_FILES.items():
            self.add_font(FONT, style, str(fonts.font_dir() / name))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(False)
        self.alias_nb_pages()
        self.footer_left = footer_left
        self.page_words = page_words  # "Page %(page)s of %(pages)s", translated
        self.widths: dict[tuple[str, float, str], float] = {}

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(85, 85, 85)
        baseline = PAGE_HEIGHT - BOTTOM / 2
        self.text(LEFT, baseline, self.footer_left)
        number = self.page_words.replace("%(page)s", str(self.page_no())).replace(
            "%(pages)s", "{nb}"
        )
        # A cell, right-aligned: "{nb}" becomes the page count when the file is written.
        self.set_xy(LEFT, baseline - 3.2)
        self.cell(BODY_WIDTH, 4, number, align="R")
        self.set_text_color(17, 17, 17)

    def measure(self, word: str) -> float:
        """The width of `word` in the current font, remembered (a task list repeats words)."""
        key = (self.font_style, self.font_size_pt, word)
        width = self.widths.get(key)
        if width is None:
            width = self.widths[key] = self.get_string_width(word)
        return width

    def wrapped(self, text: str, width: float) -> list[str]:
        """`text` as the lines that fit `width`: words kept whole unless one is wider than the
        line, which is then cut where it must be."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            space = self.measure(" ")
            for word in paragraph.split(" "):
                word_width = self.measure(word)
                while word_width > width and len(word) > 1:
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    cut = len(word) - 1
                    while cut > 1 and self.measure(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self.measure(word)
                if line and line_width + space + word_width > width:
                    lines.append(line)
                    line, line_width = word, word_width
                elif line:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                else:
                    line, line_width = word, word_width
            lines.append(line)
        return lines


@dataclass
class _Table:
    """A table drawn row by row; its header is drawn again at the top of each new page. The
    grid is drawn as lines: one under each row, and the columns' lines once per page (not a
    box per cell: a task list has 21,000 cells)."""

    document: _Document
    widths: list[float]
    size: float  # points
    right_aligned: set[int]
    header: Sequence[str] | None = None
    padding: float = 0.7
    segment_top: float | None = None  # where the table's part on this page begins

    @property
    def line_height(self) -> float:
        return self.size * POINT * 1.25

    def start(self) -> None:
        if self.header is not None:
            self.row(self.header, bold=True, fill=HEADING_FILL, keep_with_next=True)

    def finish(self) -> None:
        """Draw the columns' lines of the part of the table on this page."""
        if self.segment_top is None:
            return
        document, bottom = self.document, self.document.get_y()
        document.set_draw_color(*GRID)
        document.set_line_width(0.14)
        x = LEFT
        document.line(x, self.segment_top, x, bottom)
        for width in self.widths:
            x += width
            document.line(x, self.segment_top, x, bottom)
        self.segment_top = None

    def _lines(self, cells: Sequence[str], bold: bool) -> list[list[str]]:
        """Each cell's text as the lines its column holds, in the row's font."""
        self.document.set_font(FONT, "B" if bold else "", self.size)
        inner = [width - 2 * self.padding for width in self.widths]
        return [
            self.document.wrapped(text, width) for text, width in zip(cells, inner, strict=True)
        ]

    def _height(self, lines: list[list[str]]) -> float:
        return max(len(cell) for cell in lines) * self.line_height + 2 * self.padding

    def height_of(self, cells: Sequence[str], bold: bool = False) -> float:
        """How tall the row of `cells` is drawn."""
        return self._height(self._lines(cells, bold))

    def row(
        self,
        cells: Sequence[str],
        bold: bool = False,
        fill: tuple[int, int, int] | None = None,
        keep_with_next: bool = False,
        room_after: float = 0.0,
    ) -> None:
        """Draw a row, on a new page (the header drawn again) when it does not fit; a header
        row (`keep_with_next`) needs room for three lines under it, and any row `room_after`
        (the totals, so that they never stand alone at the top of a page)."""
        document = self.document
        lines = self._lines(cells, bold)
        height = self._height(lines)
        room = PAGE_HEIGHT - BOTTOM - document.get_y()
        if height + (3 * self.line_height if keep_with_next else 0) + room_after > room:
            self.finish()
            document.add_page()
            if self.header is not None and not keep_with_next:
                self.start()
                document.set_font(FONT, "B" if bold else "", self.size)
        top = document.get_y()
        document.set_draw_color(*GRID)
        document.set_line_width(0.14)
        if self.segment_top is None:
            self.segment_top = top
            document.line(LEFT, top, LEFT + sum(self.widths), top)
        if fill is not None:
            document.set_fill_color(*fill)
            document.rect(LEFT, top, sum(self.widths), height, style="F")
        left = LEFT
        for index, (cell_lines, width) in enumerate(zip(lines, self.widths, strict=True)):
            for number, line in enumerate(cell_lines):
                if not line:
                    continue
                x = left + self.padding
                if index in self.right_aligned:
                    x = left + width - self.padding - document.measure(line)
                baseline = top + self.padding + (number + 0.8) * self.line_height
                document.text(x, baseline, line)
            left += width
        document.line(LEFT, top + height, LEFT + sum(self.widths), top + height)
        document.set_y(top + height)


def _heading(document: _Document, text: str, size: float, new_page: bool = False) -> None:
    if new_page or document.get_y() + 30 > PAGE_HEIGHT - BOTTOM:
        document.add_page()
    document.set_font(FONT, "B", size)
    document.set_y(document.get_y() + (0 if document.get_y() <= TOP else 4))
    for line in document.wrapped(text, BODY_WIDTH):
        document.set_y(document.get_y() + size * POINT * 1.2)
        document.text(LEFT, document.get_y() - size * POINT * 0.25, line)
    document.set_y(document.get_y() + 2)


def _note(document: _Document, text: str) -> None:
    document.set_font(FONT, "", 9)
    document.set_text_color(85, 85, 85)
    for line in document.wrapped(text, BODY_WIDTH):
        document.set_y(document.get_y() + 9 * POINT * 1.25)
        document.text(LEFT, document.get_y() - 1, line)
    document.set_text_color(17, 17, 17)
    document.set_y(document.get_y() + 2)


def _bars(document: _Document, counts: TimelinessCounts, caption: str) -> None:
    """The four classes as labelled horizontal bars (mark, name, bar, count)."""
    row_height, label_width, bar_width = 6.5, 80.0, 110.0
    if document.get_y() + row_height * 5 > PAGE_HEIGHT - BOTTOM:
        document.add_page()
    largest = max((counts.count(klass) for klass in TIMELINESS_ORDER), default=0) or 1
    document.set_font(FONT, "", 8)
    document.set_text_color(85, 85, 85)
    document.text(LEFT, document.get_y() + 4, caption)
    document.set_text_color(17, 17, 17)
    top = document.get_y() + 6
    document.set_font(FONT, "", 9)
    for index, klass in enumerate(TIMELINESS_ORDER):
        colour, mark = CLASS_STYLE[klass.value]  # the pages' colour and mark of the class
        value = counts.count(klass)
        y = top + index * row_height
        document.text(LEFT, y + 4, f"{mark} {translated(klass.label)}")
        length = value / largest * bar_width
        if length > 0:
            document.set_fill_color(colour)
            document.rect(LEFT + label_width, y + 0.8, length, 4, style="F")
        document.text(LEFT + label_width + length + 2, y + 4, str(value))
    document.set_y(top + row_height * len(TIMELINESS_ORDER) + 2)


@dataclass
class PdfContent:
    """What a report's PDF shows, every text already in the reader's language."""

    title: str
    footer: str  # "<title> · as of dd/mm/yyyy"
    page_words: str  # "Page %(page)s of %(pages)s"
    title_block: list[tuple[str, str]]
    summary_heading: str
    summary: list[tuple[str, str]]
    chart_caption: str
    counts: TimelinessCounts | None
    columns: list[str]
    right_aligned: set[int]
    column_weights: list[float]
    rows: Sequence[Sequence[str]]
    totals: Sequence[str] | None
    empty_rows: str
    detail_heading: str | None  # "Tasks" or "Events", or None for no detail list
    detail_note: str | None
    detail_columns: list[str]
    detail_widths: list[float]
    detail_rows: Sequence[Sequence[str]]
    empty_detail: str


def draw(content: PdfContent) -> bytes:
    """The PDF of `content` as bytes (the fonts must be there: infra.fonts.fonts_found)."""
    document = _Document(content.footer, content.page_words)
    document.add_page()
    _heading(document, content.title, 15)
    block = _Table(document, [55.0, 150.0], 9, set())
    for label, value in content.title_block:
        block.row([label, value])
    block.finish()
    if content.summary:
        _heading(document, content.summary_heading, 11)
        summary = _Table(document, [90.0, 40.0], 9, {1})
        for label, value in content.summary:
            summary.row([label, value])
        summary.finish()
    if content.counts is not None:
        document.set_y(document.get_y() + 3)
        _bars(document, content.counts, content.chart_caption)
    _heading(document, content.title, 11)
    scale = BODY_WIDTH / sum(content.column_weights)
    widths = [weight * scale for weight in content.column_weights]
    wide = len(content.columns) > 8
    table = _Table(document, widths, 6 if wide else 9, content.right_aligned, content.columns)
    table.padding = 0.6 if wide else 1.2
    table.start()
    totals_height = 0.0 if content.totals is None else table.height_of(content.totals, bold=True)
    for index, row in enumerate(content.rows):
        last = index == len(content.rows) - 1
        table.row(row, room_after=totals_height if last else 0.0)
    if not content.rows:
        table.row([content.empty_rows, *[""] * (len(widths) - 1)])
    if content.totals is not None:
        table.row(content.totals, bold=True, fill=TOTAL_FILL)
    table.finish()
    if content.detail_heading is not None:
        _heading(document, content.detail_heading, 11, new_page=True)
        if content.detail_note:
            _note(document, content.detail_note)
        detail_scale = BODY_WIDTH / sum(content.detail_widths)
        detail = _Table(
            document,
            [width * detail_scale for width in content.detail_widths],
            6,
            set(),
            content.detail_columns,
        )
        detail.start()
        for row in content.detail_rows:
            detail.row(row)
        if not content.detail_rows:
            detail.row([content.empty_detail, *[""] * (len(content.detail_widths) - 1)])
        detail.finish()
    return bytes(document.output())


def column_weights(columns: Sequence[Column]) -> list[float]:
    """Relative widths of a report table's columns: a name wide, a code or a figure narrow."""
    weights: list[float] = []
    for column in columns:
        if column.key.endswith("name") or column.key in ("title", "measure"):
            weights.append(3.2)
        elif column.kind == TEXT:
            weights.append(1.6)
        else:
            weights.append(1.0)
    return weights
