"""PDF text without running headers, footers and page numbers; wrapped lines joined; pages kept."""

from pathlib import Path

from ingest.load import load_file
from ingest.structure import HEADING, ITEM

BODY = (
    "The harbour master keeps a register of every vessel that enters the port, and the "
    "register is published each quarter for the shipping companies that use the "
    "international terminal."
)


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("helvetica", size=9)
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, "PORT AUTHORITY ANNUAL REPORT 2024")
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, f"Page {number}")
        pdf.set_font("helvetica", size=11)
        pdf.set_xy(10, 20)
        for line in lines:
            pdf.set_x(10)
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def wrapped(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def test_running_headers_footers_and_page_numbers_are_dropped(docs):
    pages = [["1. Introduction", *wrapped(BODY)], ["2. Traffic", "Tonnage rose by 4 percent."],
             ["3. Outlook", "The new quay opens in May."]]
    doc = load_file(make_pdf(docs / "r.pdf", pages))
    assert "PORT AUTHORITY" not in doc.text
    assert "Page " not in doc.text


def test_wrapped_lines_are_joined_and_hyphenated_words_rejoined(docs):
    # the paragraph laid out in full-width lines, "international" broken by a hyphen
    body_lines = [
        "The harbour master keeps a register of every vessel that enters the port, and",
        "the register is published each quarter for the shipping companies that use the inter-",
        "national terminal.",
    ]
    pages = [["1. Introduction", *body_lines], ["2. Next", "Short."], ["3. End", "Done."]]
    doc = load_file(make_pdf(docs / "w.pdf", pages))
    assert BODY in doc.text


def test_headings_list_items_and_the_page_of_each_span(docs):
    pages = [["1. Scope", "This report covers:", "- cargo volumes", "- passenger traffic"],
             ["2. Results", "Cargo grew by 12 percent."], ["3. Plans", "A second quay is planned."]]
    doc = load_file(make_pdf(docs / "h.pdf", pages))
    headings = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == HEADING]
    assert headings == ["1. Scope", "2. Results", "3. Plans"]
    assert [doc.text[b.start : b.end] for b in doc.blocks if b.kind == ITEM] == ["cargo volumes", "passenger traffic"]
    assert doc.page_at(doc.text.index("Cargo grew")) == 2
    assert doc.page_at(doc.text.index("second quay")) == 3
