"""extract.read_text: PDFs built by hand (lines placed where a report would put them), Word and
text files, every kind of unreadable file, and (where ../shared is present) the real reports."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document

from lettermine.corpus import corpus_dir
from lettermine.errors import UnreadableLetter, UnsupportedFile
from lettermine.read.extract import (
    BULLET,
    _damage,
    drop_page_furniture,
    normalise,
    read_text,
    rejoin_hyphens,
)

CORPUS = corpus_dir()
REPORTS = CORPUS / "ilacs" / "pdf"
needs_reports = pytest.mark.skipif(
    not REPORTS.is_dir(), reason="../shared is absent: the corpus tests need the real reports"
)

# A line of a hand-made PDF: x, y (baseline, points from the foot of an A4 page), size, text,
# and optionally the font: "F1" Helvetica, "F2" Helvetica-Bold.
Line = tuple[float, float, float, str] | tuple[float, float, float, str, str]

BODY = 12
PITCH = 14.5  # the line spacing of body text
FOOTER = [(71, 38, 8, "Inspection of Testshire local authority children’s services")]


def pdf_bytes(pages: list[list[Line]], *, encrypt: bool = False, compress: bool = False) -> bytes:
    """A PDF whose pages carry these lines, in this order in the content stream."""
    objects: dict[int, bytes] = {}
    fonts: dict[str, int] = {}
    number = 3
    for key, name, weight in (("F1", "Helvetica", 400), ("F2", "Helvetica-Bold", 700)):
        fonts[key] = number
        objects[number] = (
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding "
            f"/FontDescriptor {number + 1} 0 R >>"
        ).encode()
        objects[number + 1] = (
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontWeight {weight} "
            "/FontBBox [-166 -225 1000 931] /ItalicAngle 0 /Ascent 718 /Descent -207 "
            "/CapHeight 718 /StemV 88 >>"
        ).encode()
        number += 2
    kids = []
    resources = " ".join(f"/{k} {v} 0 R" for k, v in fonts.items())
    for lines in pages:
        kids.append(number)
        ops = []
        for x, y, size, text, *font in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{font[0] if font else 'F1'} {size} Tf {x} {y} Td ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("cp1252")
        flate = b""
        if compress:
            stream, flate = zlib.compress(stream), b" /Filter /FlateDecode"
        objects[number] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {number + 1} 0 R "
            f"/Resources << /Font << {resources} >> >> >>"
        ).encode()
        objects[number + 1] = b"<< /Length %d%s >>\nstream\n%s\nendstream" % (
            len(stream),
            flate,
            stream,
        )
        number += 2
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kid_refs = " ".join(f"{k} 0 R" for k in kids)
    objects[2] = f"<< /Type /Pages /Kids [{kid_refs}] /Count {len(kids)} >>".encode()
    trailer = ""
    if encrypt:  # a user password pdfium cannot guess
        objects[number] = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (
            b"11" * 32,
            b"22" * 32,
        )
        trailer = f" /Encrypt {number} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]"
        number += 1
    out = b"%PDF-1.4\n"
    offsets = []
    for i in range(1, number):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, objects[i])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % number
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (
        f"trailer\n<< /Size {number} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def paragraph(lines: list[str], top: float, x: float = 71) -> list[Line]:
    """Body lines set one pitch apart from `top` down."""
    return [(x, top - i * PITCH, BODY, text) for i, text in enumerate(lines)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_pdf(tmp_path: Path, pages: list[list[Line]]) -> str:
    return read_text(write(tmp_path, "report.pdf", pdf_bytes(pages)))


# Invented wording, long enough to pass the "has text" check.
OPENING = [
    "The council has strengthened its early help offer over the past two years and",
    "families now reach the right service sooner than they did before.",
]
SECOND = [
    "Managers review the work of each team every month and the records they keep",
    "show clear reasons for the decisions that are taken about children.",
]


# --- PDF: paragraphs, furniture, hyphens, bullets -------------------------------------------------


def test_blank_line_between_paragraphs_and_none_inside(tmp_path: Path) -> None:
    page = paragraph(OPENING, 700) + paragraph(SECOND, 700 - 2 * PITCH - 2 * PITCH)
    text = read_pdf(tmp_path, [page])
    assert text == "\n".join(OPENING) + "\n\n" + "\n".join(SECOND)


def test_running_footer_emitted_first_is_removed_mid_paragraph(tmp_path: Path) -> None:
    # pypdfium2 reads the footer first, so it lands between a paragraph's two halves.
    first = paragraph(OPENING + ["and the wording of this paragraph carries on over the page"], 120)
    second = [*FOOTER, (71, 28, 8, "3 to 14 March 2031 2"), *paragraph(SECOND, 760)]
    text = read_pdf(tmp_path, [first, second])
    assert "Testshire" not in text and "2031" not in text
    assert text.split("\f") == [
        "\n".join(first_line[3] for first_line in first),
        "\n".join(SECOND),
    ]  # no blank line after the form feed: the paragraph goes on


def test_bare_page_numbers_are_removed(tmp_path: Path) -> None:
    pages = [paragraph(OPENING, 700) + [(297, 30, 10, str(n))] for n in (1, 2, 3)]
    text = read_pdf(tmp_path, pages)
    assert not re.search(r"^\d+$", text, re.M)


def test_page_that_starts_a_paragraph_begins_with_a_blank_line(tmp_path: Path) -> None:
    ended = paragraph(["A short closing line."], 80)
    text = read_pdf(tmp_path, [paragraph(OPENING, 700) + ended, paragraph(SECOND, 760)])
    assert "\f\n" + SECOND[0] in text


def test_bold_heading_at_the_top_of_a_page_is_not_glued_to_the_paragraph_before(
    tmp_path: Path,
) -> None:
    full = "carry on right up to the margin of the page so that nothing more would fit in"
    page2 = [(71, 760, BODY, "Areas that need attention", "F2"), *paragraph(SECOND, 730)]
    text = read_pdf(tmp_path, [paragraph([*OPENING, full], 120), page2])
    assert "\f\nAreas that need attention\n" in text


def test_footnote_and_its_marker_are_removed(tmp_path: Path) -> None:
    page = [
        (71, 760, 14, "What needs to improve?", "F2"),
        (230, 766, 8, "1"),  # the superscript marker, on a line of its own
        *paragraph(OPENING, 730),
        (71, 70, 9, "1 The items below are cross-referenced with a national framework."),
    ]
    text = read_pdf(tmp_path, [page])
    assert text.startswith("What needs to improve?\n")
    assert "cross-referenced" not in text and not re.search(r"^1$", text, re.M)


def test_a_running_header_on_every_other_page_is_removed(tmp_path: Path) -> None:
    # Printed on the even pages only: half of them, enough to be furniture.
    header = (71, 800, 9, "Focused visit to Testshire children\u2019s services")
    pages = [
        [header] * (n % 2) + paragraph([f"Page {n + 1}: " + OPENING[0], OPENING[1]], 700)
        for n in range(4)
    ]
    text = read_pdf(tmp_path, pages)
    assert "Testshire" not in text
    assert text.count(OPENING[1]) == 4


def test_a_footnote_marker_on_a_line_of_its_own_mid_page_is_removed(tmp_path: Path) -> None:
    page = [
        *paragraph(OPENING, 760),
        (71, 420, 14, "What needs to improve?", "F2"),
        # the superscript marker, raised far enough that pypdfium2 gives it a line of its own
        (230, 434, 8, "1"),
        *paragraph(SECOND, 390),
        (71, 70, 9, "1 The items below are cross-referenced with a national framework."),
    ]
    text = read_pdf(tmp_path, [page])
    assert "\nWhat needs to improve?\n" in text
    assert not re.search(r"^1$", text, re.M)


def test_a_bullet_item_at_the_foot_of_a_page_with_a_small_bullet_is_body_text(
    tmp_path: Path,
) -> None:
    # Word often sets the bullet glyph smaller than the item's text; the item is not a footnote.
    page = [
        *paragraph(OPENING, 700),
        (71, 120, 7, "\u2022"),
        (85, 120, BODY, "Plans for children in care are reviewed on time."),
    ]
    text = read_pdf(tmp_path, [page])
    assert text.endswith(f"{BULLET} Plans for children in care are reviewed on time.")


def test_line_end_hyphens_are_resolved_by_the_documents_words(tmp_path: Path) -> None:
    page = paragraph(
        [
            "Plans are man-",
            "ageable and the work is well-",
            "established. Caseloads are manageable for most staff in all of the teams here.",
        ],
        700,
    )
    text = read_pdf(tmp_path, [page + paragraph(OPENING, 600)])
    assert "Plans are manageable and the work is well-established." in text


def test_every_bullet_becomes_the_square_bullet(tmp_path: Path) -> None:
    page = paragraph(["\u2022 First point about the service for children and families."], 700)
    page += paragraph(["\u2022 Second point about the service for children and families."], 660)
    text = read_pdf(tmp_path, [page + paragraph(OPENING, 600)])
    assert text.startswith(f"{BULLET} First point")
    assert f"\n\n{BULLET} Second point" in text


# --- Normalisation without a PDF --------------------------------------------------------------


@pytest.mark.parametrize("glyph", ["\uf06e", "\uf0b7", "\u2022", "\u25aa", "\u25cf"])
def test_normalise_maps_bullet_glyphs(glyph: str) -> None:
    assert normalise(f"{glyph}Point") == f"{BULLET} Point"


def test_normalise_folds_ligatures_and_odd_spaces() -> None:
    assert (
        normalise("e\ufb03cient\u00a0and\u202fsta\ufb00  \r\nnext") == "efficient and staff\nnext"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a split com\ufffemunity; the community", "a split community; the community"),
        ("well\ufffeestablished teams", "well-established teams"),
        ("the COVID\ufffe19 period", "the COVID-19 period"),
        (
            "are under\ufffedeveloped; under-developed elsewhere",
            "are under-developed; under-developed elsewhere",
        ),
        ("strong safe\ufffeguarding", "strong safeguarding"),  # a known word
        (  # printed whole once, between two longer words that hold it
            "a split net\ufffework; networked teams, a network and networking events",
            "a split network; networked teams, a network and networking events",
        ),
    ],
)
def test_rejoin_hyphens(text: str, expected: str) -> None:
    assert rejoin_hyphens(text) == expected


def test_paged_plain_text_loses_its_running_header_and_page_numbers() -> None:
    topics = ["fostering", "adoption", "housing", "schools"]
    pages = [
        f"Inspection of Testshire local authority children's services\n{i} to 9 May 2031 {i}\n"
        f"Inspectors looked at {t} across the area\nand spoke with staff.\n\n{i}"
        for i, t in enumerate(topics, start=1)
    ]
    text = drop_page_furniture("\f".join(pages))
    assert "Testshire" not in text and "2031" not in text
    assert not re.search(r"^\d$", text, re.M)
    # each page keeps what is left of its own lines as they were
    assert text.split("\f")[2] == "Inspectors looked at housing across the area\n"


# --- Word and text files ------------------------------------------------------------------------


def docx_bytes(build: list[tuple[str, str | None]]) -> bytes:
    document = Document()
    for text, style in build:
        document.add_paragraph(text, style=style)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Overall effectiveness", "Good"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_bullets_and_tables(tmp_path: Path) -> None:
    data = docx_bytes(
        [
            (" ".join(OPENING), None),
            ("Stronger oversight of plans for children who need help.", "List Bullet"),
            ("Quicker decisions for children who cannot live at home.", "List Number"),
            (" ".join(SECOND), None),
        ]
    )
    text = read_text(write(tmp_path, "letter.docx", data))
    blocks = text.split("\n\n")
    assert blocks[1] == f"{BULLET} Stronger oversight of plans for children who need help."
    assert blocks[2] == "1. Quicker decisions for children who cannot live at home."
    assert blocks[-1] == "Overall effectiveness Good"


def test_docx_numbered_lists_are_counted_as_word_draws_them(tmp_path: Path) -> None:
    data = docx_bytes(
        [
            (" ".join(OPENING), None),
            ("The first numbered paragraph.", "List Number"),
            ("A bullet between them.", "List Bullet"),
            ("The second numbered paragraph.", "List Number"),
        ]
    )
    blocks = read_text(write(tmp_path, "report.docx", data)).split("\n\n")
    assert blocks[1:4] == [
        "1. The first numbered paragraph.",
        f"{BULLET} A bullet between them.",
        "2. The second numbered paragraph.",
    ]


def test_docx_second_level_bullets_are_sub_items(tmp_path: Path) -> None:
    data = docx_bytes(
        [
            (" ".join(OPENING), None),
            ("The quality of plans, including:", "List Bullet"),
            ("for children in care", "List Bullet 2"),
            ("Management oversight.", "List Bullet"),
        ]
    )
    blocks = read_text(write(tmp_path, "letter.docx", data)).split("\n\n")
    assert blocks[1:4] == [
        f"{BULLET} The quality of plans, including:",
        "\u2013 for children in care",
        f"{BULLET} Management oversight.",
    ]


def test_docx_list_paragraph_at_a_deeper_level_is_a_sub_item(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph(" ".join(OPENING))
    document.add_paragraph("The quality of plans, including:", style="List Bullet")
    deeper = document.add_paragraph("for children in care", style="List Bullet")
    list_id = document.styles["List Bullet"].element.pPr.numPr.numId.val
    numbering = deeper._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_numId().val = list_id
    numbering.get_or_add_ilvl().val = 1  # the list's second level
    path = tmp_path / "letter.docx"
    document.save(str(path))
    assert read_text(path).split("\n\n")[1:] == [
        f"{BULLET} The quality of plans, including:",
        "\u2013 for children in care",
    ]


def test_txt_is_read_as_utf8(tmp_path: Path) -> None:
    body = "\n".join(OPENING + ["", *SECOND]) + "\n"
    text = read_text(write(tmp_path, "letter.txt", ("\ufeff" + body).encode("utf-8")))
    assert text == body.strip()


# --- Files that cannot be read --------------------------------------------------------------------


def _docx_without_body() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes([])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
                data = f'<?xml version="1.0"?><w:document xmlns:w="{ns}"/>'.encode()
            out.writestr(item, data)
    return buf.getvalue()


def _zip_of_notes() -> bytes:
    """A zip file, but not a Word document: no [Content_Types].xml, no document."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr("notes.txt", " ".join(OPENING))
    return buf.getvalue()


NOT_A_PDF = "not a readable PDF (damaged, truncated or not a PDF at all)"
BAD: list[tuple[str, bytes, str]] = [
    ("empty.pdf", b"", "empty file"),
    ("empty.txt", b"", "empty file"),
    ("truncated.pdf", pdf_bytes([paragraph(OPENING, 700)])[:120], NOT_A_PDF),
    ("junk.pdf", b"%PDF-1.4 and then nothing a reader could use", NOT_A_PDF),
    ("locked.pdf", pdf_bytes([paragraph(OPENING, 700)], encrypt=True), "encrypted"),
    ("scan.pdf", pdf_bytes([[], []]), "no readable text"),
    ("junk.txt", bytes(range(256)) * 20, "binary"),
    ("latin1.txt", " ".join(OPENING).encode() + "caf\u00e9".encode("latin-1"), "UTF-8"),
    ("no-body.docx", _docx_without_body(), "no body"),
    ("not-a-zip.docx", b"PK\x03\x04 but not really", "not a readable Word document"),
    ("cut.docx", docx_bytes([(" ".join(OPENING), None)])[:900], "not a readable Word document"),
    ("notes.docx", _zip_of_notes(), 'not a readable Word document ("There is no item named'),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD, ids=[b[0] for b in BAD])
def test_unreadable_files_raise_with_name_and_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(UnreadableLetter) as info:
        read_text(write(tmp_path, name, data))
    message = str(info.value)
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message


def test_an_encrypted_pdf_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UnreadableLetter) as info:
        read_text(write(tmp_path, "locked.pdf", pdf_bytes([paragraph(OPENING, 700)], encrypt=True)))
    assert str(info.value) == (
        "locked.pdf: the PDF is encrypted (password-protected): save an unprotected copy and retry"
    )


def _damaged_pdf() -> bytes:
    """A compressed PDF with one byte flipped in the middle of a page's content stream."""
    data = bytearray(pdf_bytes([paragraph(OPENING + SECOND, 700)] * 2, compress=True))
    start = data.find(b"stream\n", data.find(b"/FlateDecode")) + 7
    end = data.find(b"endstream", start)
    data[(start + end) // 2] ^= 0x55
    return bytes(data)


def test_compressed_pdf_reads_whole(tmp_path: Path) -> None:
    data = pdf_bytes([paragraph(OPENING + SECOND, 700)] * 2, compress=True)
    assert read_text(write(tmp_path, "whole.pdf", data)).count(OPENING[0]) == 2


def test_pdf_with_a_corrupt_page_stream_is_refused_not_read_in_part(tmp_path: Path) -> None:
    with pytest.raises(
        UnreadableLetter,
        match=r"^damaged\.pdf: the PDF is damaged \(a compressed page or font is corrupt,",
    ):
        read_text(write(tmp_path, "damaged.pdf", _damaged_pdf()))


FLATE = zlib.compress(b"".join(b"%d 0 0 %d re f\n" % (i, i * 7) for i in range(400)))


def _pdf_object(dictionary: str, data: bytes = FLATE, length: str | None = None) -> bytes:
    """One stream object, with a direct /Length unless another one is given."""
    length = length or str(len(data))
    return b"%%PDF-1.7\n7 0 obj\n<< %s /Length %s >>\nstream\n%s\nendstream\nendobj\n" % (
        dictionary.encode(),
        length.encode(),
        data,
    )


def _flipped(data: bytes) -> bytes:
    out = bytearray(data)
    out[len(out) // 2] ^= 0x55
    return bytes(out)


FLATE_FONT = "/Filter /FlateDecode /Length1 9000"
STREAM_CASES = {  # what the damaged-stream check says of one stream object
    "intact content": (_pdf_object("/Filter /FlateDecode"), False),
    "damaged content": (_pdf_object("/Filter /FlateDecode", _flipped(FLATE)), True),
    "intact font": (_pdf_object(FLATE_FONT), False),
    "damaged font": (_pdf_object(FLATE_FONT, _flipped(FLATE)), True),
    "damaged object stream": (
        _pdf_object("/Type /ObjStm /N 3 /First 12 /Filter [/FlateDecode]", _flipped(FLATE)),
        True,
    ),
    "damaged, with a predictor": (
        _pdf_object(
            "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 5 >>", _flipped(FLATE)
        ),
        True,
    ),
    "cut short": (_pdf_object(FLATE_FONT)[:-200], True),
    "damaged image": (
        _pdf_object(
            "/Type /XObject /Subtype /Image /Width 40 /Height 40 "
            "/BitsPerComponent 8 /ColorSpace /DeviceGray /Filter "
            "/FlateDecode",
            _flipped(FLATE),
        ),
        False,
    ),
    "indirect length": (_pdf_object("/Filter /FlateDecode", length="12 0 R"), False),
    "wrong length": (_pdf_object("/Filter /FlateDecode", length="40"), False),  # as pdfium
    "not compressed": (_pdf_object("", _flipped(FLATE)), False),
    "zeros in a dictionary": (_pdf_object("/Filter /FlateDecode /Contents" + "\0" * 16), True),
    "zeros past a stream's /Length": (
        _pdf_object("/Filter /FlateDecode", FLATE + bytes(16), length=str(len(FLATE))),
        True,
    ),
    "zeros padding a stream": (_pdf_object("/Filter /FlateDecode", FLATE + bytes(16)), False),
    "zeros in an image": (_pdf_object("/Subtype /Image /Filter /FlateDecode", bytes(99)), False),
    "zeros over an image's end": (
        _pdf_object("/Subtype /Image /Filter /FlateDecode").replace(b"endstream", bytes(16)),
        True,
    ),
    "zeros in a plain stream": (_pdf_object("", bytes(99)), False),
    "zeros just after a plain stream of zeros": (
        _pdf_object("", bytes(99)).replace(b"endobj", bytes(16)),
        True,
    ),
}


@pytest.mark.parametrize(("data", "damaged"), STREAM_CASES.values(), ids=list(STREAM_CASES))
def test_every_flate_stream_but_an_images_is_checked_whole(data: bytes, damaged: bool) -> None:
    # pdfium reads what it can of a corrupt font or object stream and says nothing, as it does
    # with a corrupt page, and reads NULs as spaces: any of them could lose text.
    assert bool(_damage(data)) is damaged


def test_pdf_with_a_blanked_out_part_is_refused_not_read_in_part(tmp_path: Path) -> None:
    data = pdf_bytes([paragraph(OPENING + SECOND, 700)] * 2, compress=True)
    # The second page's /Contents zeroed, as a failed download leaves a hole: pdfium would read
    # it as a blank page.
    *_, contents = re.finditer(rb"/MediaBox \[[^]]*\] /Contents \d+ 0 R", data)
    data = data[: contents.start()] + bytes(len(contents[0])) + data[contents.end() :]
    with pytest.raises(UnreadableLetter, match=r"^blank\.pdf: the PDF is damaged \(part of it"):
        read_text(write(tmp_path, "blank.pdf", data))


def _moved_contents(data: bytes, by: int) -> bytes:
    """The PDF with the cross-reference entry of its last page's contents moved by `by` bytes."""
    *_, contents = re.finditer(rb"/Contents (\d+) 0 R", data)
    table = re.search(rb"\nxref\n0 \d+\n", data)
    assert table is not None
    at = table.end() + 20 * int(contents[1])
    return data[:at] + b"%010d" % (int(data[at : at + 10]) + by) + data[at + 10 :]


def test_pdf_with_a_misplaced_object_is_refused_not_read_in_part(tmp_path: Path) -> None:
    # pdfium looks for an object only where the table says, so it would read a blank page.
    data = pdf_bytes([paragraph(OPENING + SECOND, 700)] * 2, compress=True)
    with pytest.raises(UnreadableLetter, match=r"cross-reference table is corrupt"):
        read_text(write(tmp_path, "moved.pdf", _moved_contents(data, 3)))
    # An offset a blank before its object is one pdfium reads past.
    text = read_text(write(tmp_path, "blank.pdf", _moved_contents(data, -1)))
    assert text.count(OPENING[0]) == 2


def test_pdf_with_a_garbled_cross_reference_entry_is_refused(tmp_path: Path) -> None:
    # An entry that is not one (a digit flipped to another byte) makes pdfium pass over it or
    # rebuild the table from what it finds, and objects whose own bytes are damaged read
    # another way or not at all: fonts (other characters), pages (text missing).
    data = pdf_bytes([paragraph(OPENING + SECOND, 700)] * 2, compress=True)
    table = re.search(rb"\nxref\n0 \d+\n", data)
    assert table is not None
    at = table.end() + 20 + 5  # a digit of the offset of object 1, the catalogue
    garbled = data[:at] + b";" + data[at + 1 :]
    with pytest.raises(UnreadableLetter, match=r"cross-reference table is corrupt"):
        read_text(write(tmp_path, "garbled.pdf", garbled))


@pytest.mark.parametrize("name", ["letter.rtf", "letter.doc", "letter"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsupportedFile, match=rf"^{re.escape(name)}: unsupported file type"):
        read_text(write(tmp_path, name, b"some text"))


# --- The real reports ---------------------------------------------------------------------------


@needs_reports
@pytest.mark.corpus
@pytest.mark.parametrize("stem", ["80449_bradford_2023-01-31", "80579_wigan_2025-11-26"])
def test_real_reports_lose_headers_footnotes_and_hyphen_marks(stem: str) -> None:
    text = read_text(REPORTS / f"{stem}.pdf")
    pages = text.split("\f")
    assert len(pages) > 5
    for page in pages[1:]:
        assert "local authority children" not in page.split("\n", 2)[0]
    assert "\ufffe" not in text
    assert "cross-referenced" not in text  # the national framework footnote
    # Each numbered paragraph starts a line of its own, in order.
    numbers = [int(m) for m in re.findall(r"^(\d{1,2})\.(?!\d)", text, re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 30


# -- boundaries mutation testing found untested (issue 19) ---------------------------------------

_WHO = ["leaders", "managers", "partners", "workers", "carers", "advocates", "nurses", "teachers"]


def _paged(pages: int) -> str:
    """Invented text paged with form feeds: a running header, six distinct lines, a page number."""
    return "\f".join(
        "\n".join(
            ["Testshire children's services"]
            + [
                f"The {_WHO[(p + j) % 8]} of page {'abc'[p]} line {'abcdef'[j]} help."
                for j in range(6)
            ]
            + [str(p + 1)]
        )
        for p in range(pages)
    )


def test_furniture_needs_three_pages_to_be_told_from_text() -> None:
    three = drop_page_furniture(_paged(3))
    assert "Testshire" not in three
    assert [line for line in three.replace("\f", "\n").split("\n") if line.isdigit()] == []
    assert three.count("help.") == 18
    assert drop_page_furniture(_paged(2)) == _paged(2)  # two pages: nothing recurs enough


@pytest.mark.parametrize(("controls", "binary"), [(10, False), (11, True)])
def test_one_control_character_in_twenty_is_still_text(
    tmp_path: Path, controls: int, binary: bool
) -> None:
    path = tmp_path / "letter.txt"
    data = b"\x01" * controls + (b"Leaders know children well. " * 8)[: 200 - controls]
    path.write_bytes(data)
    if binary:
        with pytest.raises(UnreadableLetter, match="binary data, not text"):
            read_text(path)
    else:
        assert read_text(path).count("Leaders know children well.") == 6


def test_tabs_line_breaks_and_vertical_tabs_are_not_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes(b"Leaders\t know children well.\r\n\x0b" * 20)
    assert "Leaders" in read_text(path)
