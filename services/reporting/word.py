"""A report as a Word document (python-docx), from the same outline as the HTML: the symbol and
date on the first page, the title, numbered paragraphs, the figures as PNG images at print
resolution with their captions, the tables and the annex as Word tables, page numbers in the
footer. Arabic runs right to left (paragraphs, runs, tables and the section)."""
import io

from docx import Document as new_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from . import charts
from .document import Document

FIGURE_WIDTH = Cm(16)


def to_docx(document: Document, labels) -> bytes:
    from .render import cell, row_label  # the cells read as the HTML's do
    word = Writer(labels)
    word.masthead(document)
    for block in document.blocks:
        if block.kind == "heading":
            word.heading(block.text, 1)
        elif block.kind == "para":
            word.paragraph(f"{block.number}.\t{block.text}")
        elif block.kind == "figure":
            assert block.figure is not None, "a figure block names its figure"
            caption, draw = document.figures[block.figure]
            word.figure(caption, charts.png(draw()))
        elif block.kind == "topics":
            word.paragraph(f"{block.text}:")
            for item in block.items:
                word.paragraph(item, style="List Bullet")
        elif block.kind in ("table", "annex"):
            if block.kind == "annex":
                word.doc.add_page_break()
                if block.text:
                    word.heading(block.text, 1)
            word.table(block.table, row_label, cell, annex=block.kind == "annex")
    for note in document.notes:
        word.paragraph(note, size=8)
    out = io.BytesIO()
    word.doc.save(out)
    return out.getvalue()


class Writer:
    def __init__(self, labels):
        self.labels, self.doc = labels, new_document()
        self.rtl = labels.direction == "rtl"
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.left_margin = section.right_margin = Cm(2)
        if self.rtl:
            section._sectPr.append(OxmlElement("w:bidi"))
        style = self.doc.styles["Normal"]
        style.font.size = Pt(10)
        style.font.name = "DejaVu Sans" if self.rtl else "Times New Roman"
        _east_asian(style, "WenQuanYi Zen Hei")

    def masthead(self, document: Document):
        top = self.doc.add_table(rows=2, cols=2)
        self._bidi_table(top)
        cells = top.rows[0].cells
        self._fill(cells[0], self.labels("doc.united_nations"), bold=True, size=14)
        self._fill(cells[1], document.symbol or "", bold=True, size=14, end=True)
        self._fill(top.rows[1].cells[1], f"{self.labels('doc.distribution')}\n{document.dated}",
                   size=9, end=True)
        self.paragraph(document.status, size=8)
        title = self.doc.add_paragraph(style="Title")
        self._direction(title)
        self._run(title, document.title)
        self.paragraph(document.subtitle, bold=True)
        self._page_furniture(document.symbol)
        if document.changes:
            self.paragraph(document.changes["intro"], size=8)
            for line in document.changes["lines"]:
                self.paragraph(line, style="List Bullet", size=8)

    def heading(self, text: str, level: int):
        paragraph = self.doc.add_heading(level=level)
        self._direction(paragraph)
        self._run(paragraph, text)

    def paragraph(self, text: str, style: str | None = None, size: int | None = None,
                  bold: bool = False):
        paragraph = self.doc.add_paragraph(style=style)
        self._direction(paragraph)
        run = self._run(paragraph, text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return paragraph

    def figure(self, caption: str, image: bytes):
        self.paragraph(caption, style="Caption" if "Caption" in self.doc.styles else None,
                       bold=True)
        picture = self.doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(image), width=FIGURE_WIDTH)

    def table(self, table, row_label, cell, annex: bool = False):
        """A Word table of `table`'s rows; the annex as the source report gives it (required,
        filed, not compliant; none shown as a dash)."""
        columns = ([c for c in table.columns if c not in ("name", "category")] if annex
                   else [c for c in table.columns if c != "name"])
        grid = self.doc.add_table(rows=1, cols=len(columns) + 1)
        grid.style = "Table Grid"
        self._bidi_table(grid)
        header = grid.rows[0].cells
        self._fill(header[0], self.labels("col.label"), bold=True, size=8)
        for i, column in enumerate(columns, 1):
            self._fill(header[i], self.labels.of("col.", column), bold=True, size=8)
        for key, values in table.rows:
            row = grid.add_row().cells
            total = key == "total" or key.startswith("subtotal.")
            self._fill(row[0], row_label(table, key, values, self.labels), bold=total, size=8)
            for i, column in enumerate(columns, 1):
                value = values.get(column)
                shown = self.labels("none") if annex and not value else cell(
                    table, key, column, value, self.labels)
                self._fill(row[i], shown, bold=total, size=8, end=True)

    # ---- the pieces ----

    def _fill(self, target, text: str, bold=False, size=None, end=False):
        paragraph = target.paragraphs[0]
        self._direction(paragraph)
        if end:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if self.rtl else WD_ALIGN_PARAGRAPH.RIGHT
        run = self._run(paragraph, text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)

    def _run(self, paragraph, text: str):
        run = paragraph.add_run(text)
        if self.rtl:
            run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
        return run

    def _direction(self, paragraph):
        if self.rtl:
            paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))

    def _bidi_table(self, table):
        if self.rtl:
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))

    def _page_furniture(self, symbol: str | None):
        """The symbol in the header of the pages after the first; the page number in every
        footer."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        if symbol:
            header = section.header.paragraphs[0]
            header.alignment = WD_ALIGN_PARAGRAPH.LEFT if self.rtl else WD_ALIGN_PARAGRAPH.RIGHT
            self._run(header, symbol)
        for footer in (section.footer, section.first_page_footer):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _page_number(paragraph)


def _page_number(paragraph):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _east_asian(style, font: str):
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
