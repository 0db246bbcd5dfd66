"""Word, PowerPoint, OpenDocument, EPUB, reStructuredText and CSV: each document is made here
with the format's own library (or written out as text), loaded, and checked for its text, its
blocks (headings with levels, items, rows, code), exact offsets, title and page/slide numbers."""

from __future__ import annotations

import pytest

from ingest.errors import LoadError
from ingest.load import SUPPORTED, load_file
from ingest.split import page_of, split_document
from ingest.structure import heading_paths


def blocks(doc):
    """(kind, level, text) of each block, the text being its slice of the extracted text."""
    return [(b.kind, b.level, doc.text[b.start : b.end]) for b in doc.blocks]


def check_offsets(doc):
    """Blocks are in order, do not overlap, and each one's slice is its whole stripped text."""
    end = 0
    for b in doc.blocks:
        assert end <= b.start < b.end <= len(doc.text)
        piece = doc.text[b.start : b.end]
        assert piece == piece.strip() and piece
        end = b.end
    for chunk in split_document(doc, str(doc.path), chunk_size=600, chunk_overlap=0):
        assert doc.text[chunk.metadata["start"] : chunk.metadata["end"]] == chunk.page_content


def path_of(doc, needle):
    i = next(i for i, b in enumerate(doc.blocks) if needle in doc.text[b.start : b.end])
    return heading_paths(doc.text, doc.blocks)[i]


def test_every_new_format_is_supported():
    for suffix in (".docx", ".pptx", ".odt", ".epub", ".rst", ".csv"):
        assert suffix in SUPPORTED


# -- Word ------------------------------------------------------------------------------------


def test_docx_headings_lists_tables_and_title(docs):
    import docx

    d = docx.Document()
    d.core_properties.title = "Harbour report"
    d.add_heading("Harbour report", level=0)  # the Title style
    d.add_heading("Arrivals", level=1)
    d.add_paragraph("Ships docked at noon. The pilot came aboard at 11:40.")
    d.add_paragraph("first tug", style="List Bullet")
    d.add_paragraph("second tug", style="List Bullet 2")
    d.add_heading("Cargo", level=2)
    table = d.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "Item", (0, 1): "Tons", (1, 0): "Grain", (1, 1): "1200"}.items():
        table.cell(r, c).text = value
    p = d.add_paragraph("Total ")
    p.add_run("tonnage").bold = True
    p.add_run(" was\tlow.")
    f = docs / "report.docx"
    d.save(f)

    doc = load_file(f)
    assert doc.title == "Harbour report"
    assert blocks(doc) == [
        ("heading", 1, "Harbour report"),
        ("heading", 1, "Arrivals"),
        ("paragraph", 0, "Ships docked at noon. The pilot came aboard at 11:40."),
        ("item", 0, "first tug"),
        ("item", 1, "second tug"),
        ("heading", 2, "Cargo"),
        ("row", 0, "Item | Tons"),
        ("row", 0, "Grain | 1200"),
        ("paragraph", 0, "Total tonnage was low."),
    ]
    assert doc.pages == [] and doc.page_label == ""  # no page breaks: pages unknown
    assert path_of(doc, "Grain") == "Arrivals > Cargo"
    check_offsets(doc)


def test_docx_page_breaks_give_page_numbers_even_mid_paragraph(docs):
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.add_paragraph("The first page is about tides.")
    d.add_page_break()
    p = d.add_paragraph("This paragraph starts on page two and ")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("ends on page three.")
    f = docs / "paged.docx"
    d.save(f)

    doc = load_file(f)
    assert "This paragraph starts on page two and ends on page three." in doc.text
    assert doc.page_at(doc.text.index("tides")) == 1
    assert doc.page_at(doc.text.index("starts")) == 2
    assert doc.page_at(doc.text.index("ends on")) == 3
    (chunk,) = split_document(doc, "paged.docx", chunk_size=600, chunk_overlap=0)
    assert chunk.metadata["page"] == 1
    assert page_of(chunk.metadata, chunk.page_content.index("ends on")) == 3
    check_offsets(doc)


def test_docx_rendered_page_breaks_win_over_hard_ones(docs):
    """A file Word laid out records where each page started; those are the pages."""
    import docx
    from docx.oxml import OxmlElement

    d = docx.Document()
    d.add_paragraph("Alpha on page one.")
    d.add_page_break()  # followed, as Word writes it, by a rendered break
    p = d.add_paragraph("Beta on page two, and a long paragraph that Word ")
    p.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))  # the start of page 2
    run = p.add_run()
    run._r.append(OxmlElement("w:lastRenderedPageBreak"))  # page 3 starts mid-paragraph
    run.add_text("wrapped onto page three.")
    f = docs / "rendered.docx"
    d.save(f)

    doc = load_file(f)
    assert doc.page_at(doc.text.index("Alpha")) == 1
    assert doc.page_at(doc.text.index("Beta")) == 2
    assert doc.page_at(doc.text.index("wrapped")) == 3
    assert "paragraph that Word wrapped onto page three." in doc.text


def test_damaged_docx_is_refused_with_a_reason(docs):
    f = docs / "bad.docx"
    f.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LoadError, match="not a readable Word document.*re-save"):
        load_file(f)


# -- PowerPoint ------------------------------------------------------------------------------


def test_pptx_slides_are_pages_with_titles_bullets_tables_and_notes(docs):
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[0])  # title slide
    s1.shapes.title.text = "Quarterly review"
    s1.placeholders[1].text = "Prepared by the port office"
    s2 = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
    s2.shapes.title.text = "Arrivals"
    body = s2.placeholders[1].text_frame
    body.text = "Ships docked at noon"
    sub = body.add_paragraph()
    sub.text = "two tugs assisted"
    sub.level = 1
    s2.notes_slide.notes_text_frame.text = "Mention the late pilot."
    s3 = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    s3.shapes.title.text = "Cargo"
    rows = s3.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (r, c), value in {(0, 0): "Item", (0, 1): "Tons", (1, 0): "Grain", (1, 1): "1200"}.items():
        rows.cell(r, c).text = value
    box = s3.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1))
    box.text_frame.text = "Figures are provisional."
    f = docs / "review.pptx"
    prs.save(f)

    doc = load_file(f)
    assert doc.title == "Quarterly review"
    assert blocks(doc) == [
        ("heading", 1, "Quarterly review"),
        ("paragraph", 0, "Prepared by the port office"),
        ("heading", 1, "Arrivals"),
        ("item", 0, "Ships docked at noon"),
        ("item", 1, "two tugs assisted"),
        ("paragraph", 0, "Mention the late pilot."),
        ("heading", 1, "Cargo"),
        ("row", 0, "Item | Tons"),
        ("row", 0, "Grain | 1200"),
        ("paragraph", 0, "Figures are provisional."),
    ]
    assert doc.page_label == "slide"
    assert [doc.page_at(doc.text.index(w)) for w in ("Prepared", "tugs", "pilot", "Grain", "provisional")] == [1, 2, 2, 3, 3]
    assert path_of(doc, "Grain") == "Cargo"
    chunks = split_document(doc, "review.pptx", chunk_size=600, chunk_overlap=0)
    assert {c.metadata["page_label"] for c in chunks} == {"slide"}
    assert [c.metadata["page"] for c in chunks] == [1, 2, 3]
    check_offsets(doc)


def test_slide_citations_say_slide_and_pdf_ones_say_page():
    from assistant.answer_types import Citation
    from assistant.ask_cli import format_sources
    from assistant.answer_types import Answer
    from assistant.ui.format import source_html

    slide = Citation(n=1, source="/d/review.pptx", quote="Grain", start=0, end=5, score=0.9, page=3, page_label="slide")
    page = Citation(n=2, source="/d/r.pdf", quote="Tides", start=0, end=5, score=0.8, page=4)
    none = Citation(n=3, source="/d/a.docx", quote="Beta", start=0, end=4, score=0.7)
    assert (slide.where, page.where, none.where) == ("slide 3", "p. 4", "")
    assert "· slide 3" in source_html(slide) and "· p. 4" in source_html(page)
    answer = Answer(text="Grain [1]", found=True, citations=[slide, page, none], confidence=0.9)
    lines = format_sources(answer).splitlines()
    assert "review.pptx, slide 3 (chars 0-5)" in lines[2]
    assert "r.pdf, p. 4 (chars 0-5)" in lines[4]
    assert "a.docx (chars 0-4)" in lines[6]


def test_damaged_pptx_is_refused_with_a_reason(docs):
    f = docs / "bad.pptx"
    f.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(LoadError, match="not a readable PowerPoint presentation"):
        load_file(f)


# -- OpenDocument ----------------------------------------------------------------------------


def test_odt_headings_lists_tables_code_and_soft_page_breaks(docs):
    from odfdo import Document, Element, Header, List, Paragraph, Table

    d = Document("text")
    d.meta.set_title("Harbour notes")
    body = d.body
    body.append(Header(1, "Arrivals"))
    body.append(Paragraph("Ships docked  at noon."))
    body.append(List(["first tug", "second tug"]))
    body.append(Header(2, "Cargo"))
    table = Table("Cargo", width=2, height=2)
    for (r, c), value in {(0, 0): "Item", (0, 1): "Tons", (1, 0): "Grain", (1, 1): "1200"}.items():
        table.set_value((c, r), value)
    body.append(table)
    body.append(Element.from_tag("<text:soft-page-break/>"))
    body.append(Paragraph("make  all", style="Preformatted_20_Text"))
    split = Paragraph("The second page ends ")
    split.append(Element.from_tag("<text:soft-page-break/>"))
    split.append(Element.from_tag("<text:span>and the third begins.</text:span>"))
    body.append(split)
    f = docs / "notes.odt"
    d.save(f)

    doc = load_file(f)
    assert doc.title == "Harbour notes"
    assert blocks(doc) == [
        ("heading", 1, "Arrivals"),
        ("paragraph", 0, "Ships docked at noon."),
        ("item", 0, "first tug"),
        ("item", 0, "second tug"),
        ("heading", 2, "Cargo"),
        ("row", 0, "Item | Tons"),
        ("row", 0, "Grain | 1200"),
        ("code", 0, "make  all"),
        ("paragraph", 0, "The second page ends and the third begins."),
    ]
    assert doc.page_at(doc.text.index("Grain")) == 1
    assert doc.page_at(doc.text.index("make")) == 2
    assert doc.page_at(doc.text.index("second page")) == 2
    assert doc.page_at(doc.text.index("third")) == 3
    assert path_of(doc, "Grain") == "Arrivals > Cargo"
    check_offsets(doc)


def test_a_spreadsheet_saved_as_odt_is_refused_with_a_reason(docs):
    from odfdo import Document

    f = docs / "sheet.odt"
    Document("spreadsheet").save(f)
    with pytest.raises(LoadError, match="not a text document"):
        load_file(f)


# -- EPUB ------------------------------------------------------------------------------------


def _epub(path, chapters, title="The Sea Book"):
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("sea-1")
    book.set_title(title)
    book.set_language("en")
    items = []
    for i, (toc_title, body) in enumerate(chapters, 1):
        item = epub.EpubHtml(title=toc_title, file_name=f"ch{i}.xhtml", lang="en")
        item.content = f"<html><head><title>{toc_title}</title></head><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(f"ch{i}.xhtml", t, f"ch{i}") for i, (t, _) in enumerate(chapters, 1)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(path), book)
    return path


def test_epub_chapters_in_reading_order_with_their_headings(docs):
    f = _epub(docs / "sea.epub", [
        ("Tides", "<h1>Tides</h1><p>The tide turns twice a day.</p><h2>Spring tides</h2><p>They come at new moon.</p>"),
        ("Winds", "<p>The trade winds blow from the east.</p><ul><li>steady</li><li>warm</li></ul>"),
    ])
    doc = load_file(f)
    assert doc.title == "The Sea Book"
    assert blocks(doc) == [
        ("heading", 1, "Tides"),
        ("paragraph", 0, "The tide turns twice a day."),
        ("heading", 2, "Spring tides"),
        ("paragraph", 0, "They come at new moon."),
        ("heading", 1, "Winds"),  # no heading in the chapter: its table-of-contents title
        ("paragraph", 0, "The trade winds blow from the east."),
        ("item", 0, "steady"),
        ("item", 0, "warm"),
    ]
    assert path_of(doc, "new moon") == "Tides > Spring tides"
    assert path_of(doc, "trade winds") == "Winds"
    assert doc.pages == []
    check_offsets(doc)


def test_damaged_epub_is_refused_with_a_reason(docs):
    f = docs / "bad.epub"
    f.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(LoadError, match="not a readable EPUB"):
        load_file(f)


# -- reStructuredText ------------------------------------------------------------------------

RST = """\
User guide
==========

Read this first. It uses :func:`connect` and :ref:`the setup <setup>`.

.. contents::

.. a comment that is not text

Install
-------

- download the wheel
- install it

  - with pip

Options
   the settings file

::

    pip install  tool

.. unknown-directive:: ignored

+-------+------+
| Name  | Port |
+=======+======+
| web   | 80   |
+-------+------+

.. include:: /etc/passwd
"""


def test_rst_sections_lists_code_and_tables(docs):
    f = docs / "guide.rst"
    f.write_text(RST, encoding="utf-8")
    doc = load_file(f)
    assert doc.title == "User guide"
    assert blocks(doc) == [
        ("heading", 1, "User guide"),
        ("paragraph", 0, "Read this first. It uses connect and the setup."),
        ("heading", 2, "Install"),
        ("item", 0, "download the wheel"),
        ("item", 0, "install it"),
        ("item", 1, "with pip"),
        ("item", 0, "Options: the settings file"),
        ("code", 0, "pip install  tool"),
        ("row", 0, "Name | Port"),
        ("row", 0, "web | 80"),
    ]
    assert path_of(doc, "web") == "User guide > Install"
    for absent in ("comment", "ignored", "root:", "passwd", "Contents"):
        assert absent not in doc.text
    check_offsets(doc)


# -- CSV -------------------------------------------------------------------------------------


def test_csv_rows_name_their_columns(docs):
    f = docs / "ports.csv"
    f.write_text('city,population,country\nLyon,522250,France\n"Saint\nEtienne",170000,\n\n', encoding="utf-8")
    doc = load_file(f)
    assert doc.title == "ports"
    assert blocks(doc) == [
        ("row", 0, "city: Lyon | population: 522250 | country: France"),
        ("row", 0, "city: Saint Etienne | population: 170000"),
    ]
    check_offsets(doc)


def test_csv_without_a_header_and_with_semicolons(docs):
    f = docs / "raw.csv"
    f.write_text("Lyon;522250\nNice;342000\n", encoding="utf-8")
    assert blocks(load_file(f)) == [("row", 0, "Lyon | 522250"), ("row", 0, "Nice | 342000")]


def test_a_csv_of_one_row_is_data_not_a_header(docs):
    f = docs / "one.csv"
    f.write_text("Lyon,France\n", encoding="utf-8")
    assert blocks(load_file(f)) == [("row", 0, "Lyon | France")]


def test_damaged_odt_is_refused_with_a_reason(docs):
    f = docs / "bad.odt"
    f.write_bytes(b"not a zip at all")
    with pytest.raises(LoadError, match="not an OpenDocument file"):
        load_file(f)
