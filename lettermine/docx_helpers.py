"""Small helpers over python-docx for council documents: the only module that writes Word files.

What python-docx does not do for us, done once here: A4 pages (it defaults to US Letter),
landscape sections that survive LibreOffice, fixed column widths, cell shading, header rows
that repeat on every page, table alt text, page-numbered footers and an atomic save.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from lettermine.db import refuse_to_replace_a_database
from lettermine.errors import OutputError

__all__ = [
    "Cell",
    "Document",
    "Table",
    "add_bullet",
    "add_footer",
    "add_heading",
    "Picture",
    "add_paragraph",
    "add_picture",
    "add_picture_rows",
    "add_rows",
    "add_section",
    "add_table",
    "clean_text",
    "new_document",
    "save_atomically",
    "shade_cell",
]

FONT = "Arial"  # the house font of most councils' committee papers
INK = RGBColor(0x1F, 0x1F, 0x1F)
MUTED = RGBColor(0x59, 0x59, 0x59)
HEADING_INK = RGBColor(0x1F, 0x38, 0x64)
HEADER_FILL = "1F3864"  # dark blue header rows with white text
A4_SHORT, A4_LONG = Mm(210), Mm(297)
TABLE_STYLE = "Table Grid"
TABLE_TEXT = "Table Text"
TABLE_NOTE = "Table Note"
TABLE_HEAD = "Table Heading"


# -- document and styles -------------------------------------------------------------------------


def new_document(*, title: str, subject: str, author: str = "lettermine") -> Document:
    """An empty A4 portrait document with house styles and its title in the properties."""
    doc = new_docx()
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject, author
    _set_page(doc.sections[0], landscape=False)
    _house_styles(doc)
    return doc


def _set_page(section: Section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    # Orientation alone does not turn the page: Word and LibreOffice read the sizes.
    section.page_width = A4_LONG if landscape else A4_SHORT
    section.page_height = A4_SHORT if landscape else A4_LONG
    margin = Cm(1.27) if landscape else Cm(2.0)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Cm(1.5) if landscape else Cm(2.0)
    section.header_distance = section.footer_distance = Cm(0.8)


def _plain_font(style_element: object, name: str) -> None:
    # Built-in styles name theme fonts (asciiTheme...), which Word prefers over w:ascii:
    # drop them so the house font is really used.
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _house_styles(doc: Document) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _plain_font(normal.element, FONT)
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    # British English, so spell-checkers and screen readers read "organisation" correctly.
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    rpr.append(lang)
    for name, size, space_before in (
        ("Title", 24, 0),
        ("Subtitle", 14, 0),
        ("Heading 1", 15, 14),
        ("Heading 2", 12.5, 10),
        ("Heading 3", 11, 8),
    ):
        style = styles[name]
        _plain_font(style.element, FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = HEADING_INK
        style.font.italic = False
        style.paragraph_format.space_before = Pt(space_before)
        style.paragraph_format.space_after = Pt(6 if name.startswith("Heading") else 4)
    styles["Title"].font.bold = True
    # The default Title has a bottom border and tight spacing meant for Cambria: keep it plain.
    title_ppr = styles["Title"].element.pPr
    if title_ppr is not None:
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)
    for name, size, colour, bold in (
        (TABLE_TEXT, 8.5, INK, False),
        (TABLE_NOTE, 7.5, MUTED, False),
        (TABLE_HEAD, 8.5, RGBColor(0xFF, 0xFF, 0xFF), True),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(size)
        style.font.color.rgb = colour
        style.font.bold = bold
        style.paragraph_format.space_before = Pt(0)
        # A little space between paragraphs, so items listed in one cell read apart.
        style.paragraph_format.space_after = Pt(2)
        style.paragraph_format.line_spacing = 1.0
    styles[TABLE_NOTE].paragraph_format.space_before = Pt(1)


def add_section(doc: Document, heading: str, *, landscape: bool, level: int = 1) -> Paragraph:
    """Start a new page section (A4, portrait or landscape) that opens with a heading."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _set_page(section, landscape=landscape)
    # LibreOffice drops the orientation of a section whose first element is a table: a heading
    # first keeps it, and gives the navigation pane an entry.
    return add_heading(doc, heading, level)


def add_heading(doc: Document, text: str, level: int) -> Paragraph:
    """A real 'Heading N' (or 'Title' at level 0) paragraph, so navigation panes list it."""
    heading: Paragraph = doc.add_heading(clean_text(text), level)
    return heading


def add_paragraph(
    doc: Document,
    text: str = "",
    *,
    bold_lead: str | None = None,
    style: str | None = None,
    muted: bool = False,
    italic: bool = False,
) -> Paragraph:
    """A paragraph of body text, optionally led by a bold phrase ("Owner: ...")."""
    paragraph = doc.add_paragraph(style=style)
    if bold_lead:
        paragraph.add_run(clean_text(bold_lead)).bold = True
    run = paragraph.add_run(clean_text(text))
    run.italic = italic or None
    if muted:
        run.font.color.rgb = MUTED
    return paragraph


def add_bullet(doc: Document, text: str, *, bold_lead: str | None = None) -> Paragraph:
    """A bulleted list item ('List Bullet' style)."""
    return add_paragraph(doc, text, bold_lead=bold_lead, style="List Bullet")


def add_footer(doc: Document, text: str) -> None:
    """Footer text and 'Page N of M' on every page (later sections inherit the first footer)."""
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.style = doc.styles[TABLE_NOTE]
    paragraph.add_run(f"{text}    Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph: Paragraph, code: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# -- tables ------------------------------------------------------------------------------------

# Characters XML 1.0 forbids. Letter text can carry them: pypdfium2 marks line-end hyphens with
# U+FFFE, and form feeds survive some extractions. lxml refuses the whole document otherwise.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text safe to put in a Word file: characters XML forbids removed."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Cell:
    """What one table cell shows: paragraphs of text, a small grey note, shading."""

    text: str | Sequence[str] = ""
    note: str | Sequence[str] | None = None  # one small grey paragraph per line
    bold: bool = False
    fill: str | None = None  # RRGGBB
    white: bool = False  # white text, for dark fills
    centre: bool = False
    muted: bool = False  # grey text, e.g. an area repeated from the row above


def add_table(
    doc: Document,
    headers: Sequence[str],
    widths_cm: Sequence[float],
    *,
    caption: str,
    description: str | None = None,
) -> Table:
    """A fixed-width table with a shaded header row that repeats on every page.

    caption and description are the table's alt text, read out by screen readers.
    """
    if len(headers) != len(widths_cm):
        raise ValueError("one width per header")
    table: Table = doc.add_table(rows=0, cols=len(headers))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    # Fixed layout: Word keeps our widths instead of fitting columns to their text.
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    existing = tbl_pr.find(qn("w:tblW"))
    if existing is not None:
        tbl_pr.remove(existing)
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(sum(_twips(w) for w in widths_cm)))
    total.set(qn("w:type"), "dxa")
    tbl_pr.append(total)
    # A little air above and below cell text; Table Grid's default is none.
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 40), ("left", 100), ("bottom", 40), ("right", 100)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.append(margins)
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", description)):
        if value:
            element = OxmlElement(tag)
            element.set(qn("w:val"), clean_text(value))
            tbl_pr.append(element)
    _reorder_tbl_pr(tbl_pr)
    # LibreOffice reads the grid (columns), Word reads each cell: set both.
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    header = [Cell(h, fill=HEADER_FILL) for h in headers]
    _append_rows(table, widths_cm, [header], header=True)
    return table


def _twips(cm: float) -> int:
    return int(Cm(cm).twips)


# Schema order of w:tblPr children: Word refuses a file whose elements are out of order.
_TBL_PR_ORDER = [
    qn(f"w:{t}")
    for t in (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
        "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
        "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
    )
]  # fmt: skip


def _reorder_tbl_pr(tbl_pr: object) -> None:
    children = list(tbl_pr)  # type: ignore[call-overload]
    rank = {tag: i for i, tag in enumerate(_TBL_PR_ORDER)}
    children.sort(key=lambda e: rank.get(e.tag, len(rank)))
    for child in children:
        tbl_pr.append(child)  # type: ignore[attr-defined]


def add_rows(table: Table, widths_cm: Sequence[float], rows: Iterable[Sequence[Cell]]) -> None:
    """Append body rows, each a Cell per column, every cell with its column's fixed width."""
    _append_rows(table, widths_cm, rows, header=False)


def _append_rows(
    table: Table, widths_cm: Sequence[float], rows: Iterable[Sequence[Cell]], *, header: bool
) -> None:
    # The rows are written as XML text and parsed once: python-docx's element-by-element API
    # takes seconds for a 200-row plan, the parser milliseconds.
    widths = [_twips(w) for w in widths_cm]
    # A row is kept on one page (unless taller than a page); the header row repeats on each.
    row_pr = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
    style = "TableHeading" if header else "TableText"
    parts = []
    for row in rows:
        if len(row) != len(widths):
            raise ValueError(f"a row of {len(row)} cells in a table of {len(widths)} columns")
        cells = "".join(_cell_xml(c, w, style) for c, w in zip(row, widths, strict=True))
        parts.append(f"<w:tr>{row_pr}{cells}</w:tr>")
    if not parts:
        return
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(parts)}</w:tbl>")
    tbl = table._tbl
    for tr in list(parsed):
        tbl.append(tr)


def _cell_xml(cell: Cell, width: int, style: str) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill.upper()}"/>'
    jc = '<w:jc w:val="center"/>' if cell.centre else ""
    colour = "FFFFFF" if cell.white else str(MUTED) if cell.muted else None
    run_pr = ("<w:b/>" if cell.bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    run_pr = f"<w:rPr>{run_pr}</w:rPr>" if run_pr else ""
    lines = [cell.text] if isinstance(cell.text, str) else list(cell.text) or [""]
    body = "".join(_paragraph_xml(line, style, jc, run_pr) for line in lines)
    notes = [cell.note] if isinstance(cell.note, str) else list(cell.note or [])
    for note in notes:
        if note:
            body += _paragraph_xml(note, "TableNote", jc, "")
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def _paragraph_xml(text: str, style: str, jc: str, run_pr: str) -> str:
    text = escape(" ".join(clean_text(text).split()))
    run = f'<w:r>{run_pr}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>{run}</w:p>'


def shade_cell(cell: _Cell, fill: str) -> None:
    """Shade an existing cell with a solid colour (RRGGBB): one w:shd, replacing any before."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.upper())
    # w:shd comes after the width, borders and merges in tcPr and before the alignment.
    anchor = None
    for tag in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"):
        anchor = tc_pr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(shd)
    else:
        tc_pr.append(shd)


# -- pictures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A PNG to place in the document: its width on the page and its alt text."""

    png: bytes
    width_cm: float
    alt: str


class _Pictures:
    """Adds pictures with shape ids of its own: python-docx looks for the next free id by
    scanning the whole document at each picture, which made 70 charts take a second."""

    def __init__(self, doc: Document) -> None:
        self.part = doc.part
        self.next_id = doc.part.next_id

    def add(self, paragraph: Paragraph, picture: Picture) -> None:
        from docx.oxml.shape import CT_Inline

        rid, image = self.part.get_or_add_image(io.BytesIO(picture.png))
        cx, cy = image.scaled_dimensions(Cm(picture.width_cm), None)
        inline = CT_Inline.new_pic_inline(self.next_id, rid, image.filename, cx, cy)
        self.next_id += 1
        # Alt text: what a screen reader says for the picture (Word's "Description").
        inline.docPr.set("descr", clean_text(picture.alt))
        paragraph.add_run()._r.add_drawing(inline)


def add_picture(doc: Document, picture: Picture, caption: str) -> None:
    """A picture on a line of its own, with a line of text under it saying what it shows."""
    holder = doc.add_paragraph()
    holder.paragraph_format.keep_with_next = True  # the picture and its words on one page
    _Pictures(doc).add(holder, picture)
    words = add_paragraph(doc, caption, style=TABLE_NOTE)
    words.paragraph_format.space_after = Pt(10)


def add_picture_rows(
    doc: Document,
    table: Table,
    widths_cm: Sequence[float],
    rows: Sequence[tuple[Sequence[Cell], Picture]],
    *,
    column: int,
) -> None:
    """Append body rows to a table, each with a picture in the given column."""
    add_rows(table, widths_cm, [cells for cells, _ in rows])
    pictures = _Pictures(doc)
    body = table.rows[len(table.rows) - len(rows) :]
    for row, (_, picture) in zip(body, rows, strict=True):
        pictures.add(row.cells[column].paragraphs[0], picture)


# -- saving ------------------------------------------------------------------------------------


def save_atomically(doc: Document, path: Path) -> Path:
    """Save to a temporary file beside path, then rename: never a half-written document."""
    path = Path(path)
    refuse_to_replace_a_database(path)
    folder = path.parent
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=".docx.part", dir=folder
        )
    except OSError as e:
        raise OutputError(f"{path}: cannot write in {folder} ({e.strerror})") from None
    temp = Path(temp_name)
    try:
        os.close(handle)
        doc.save(str(temp))
        # mkstemp makes the file private (0600); give it the mode a normal new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except OSError as e:
        temp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({e.strerror})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
