"""Loading: each supported format becomes one extracted text; bad files say why."""

import os
from pathlib import Path

import pytest

from ingest.errors import LoadError
from ingest.load import load_file

SEED = Path(__file__).resolve().parents[2] / "seeds" / "yonhap-korea-japan-collective-self-defense.txt"


def test_text_file_drops_site_boilerplate_and_keeps_every_article_sentence():
    doc = load_file(SEED)
    raw = SEED.read_text(encoding="utf-8")
    assert "Back To Top" in raw
    assert "Back To Top" not in doc.text
    for line in raw.splitlines():
        line = line.strip()
        if line and line != "Back To Top":
            assert line in doc.text
    assert doc.title == "S. Korea reaffirms stance on Japan's collective self-defense"


def test_boilerplate_is_only_whole_lines(docs):
    f = docs / "a.txt"
    f.write_text("Advertisement\nThe advertisement budget grew.\n  Back to top  \nEnd.", encoding="utf-8")
    assert load_file(f).text == "The advertisement budget grew.\n\nEnd."


def test_markdown_keeps_structure_and_takes_heading_as_title(docs):
    f = docs / "notes.md"
    f.write_text("# Release notes\n\n- fixed the parser\n- faster start\n", encoding="utf-8")
    doc = load_file(f)
    assert doc.title == "Release notes"
    assert doc.text == "Release notes\n\nfixed the parser\nfaster start"
    assert [b.kind for b in doc.blocks] == ["heading", "item", "item"]


def test_html_gives_visible_text_only(docs):
    f = docs / "page.html"
    f.write_text(
        "<html><head><title>Port report</title><style>p{color:red}</style>"
        "<script>var secret = 1;</script></head><body>"
        "<nav>Back To Top</nav><h1>Harbour</h1><p>Ships <b>docked</b> at noon.</p>"
        "<div hidden>invisible</div><!-- a comment --><ul><li>one</li><li>two</li></ul>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = load_file(f)
    assert doc.title == "Port report"
    assert "Ships docked at noon." in doc.text
    assert "one\ntwo" in doc.text
    for hidden in ("secret", "color:red", "invisible", "a comment", "Back To Top", "<"):
        assert hidden not in doc.text


def _pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
        else:
            pdf.rect(20, 20, 50, 50)  # a page with a drawing and no text
    pdf.output(str(path))
    return path


def test_pdf_text_layer_with_page_numbers(docs):
    doc = load_file(_pdf(docs / "r.pdf", ["The first page talks of tides.", "", "Page three: winds."]))
    assert "The first page talks of tides." in doc.text
    assert "Page three: winds." in doc.text
    assert doc.page_at(doc.text.index("tides")) == 1
    assert doc.page_at(doc.text.index("winds")) == 3


def test_pdf_without_text_layer_is_refused_with_ocr_hint(docs):
    with pytest.raises(LoadError, match="no text layer.*OCR"):
        load_file(_pdf(docs / "scan.pdf", [""]))


def test_corrupt_pdf_is_refused(docs):
    f = docs / "bad.pdf"
    f.write_bytes(b"%PDF-1.4\nnot really a pdf")
    with pytest.raises(LoadError, match="PDF"):
        load_file(f)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), "UTF-8"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
        ("only-chrome.html", b"<html><body><script>x()</script></body></html>", "no text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(docs, name, content, reason):
    f = docs / name
    f.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_file(f)


def test_damaged_utf16_is_refused_not_crashed(docs):
    f = docs / "odd.txt"
    f.write_bytes(b"\xff\xfeo\x00d\x00d\x00A")  # a BOM, then an odd number of bytes
    with pytest.raises(LoadError, match="UTF-16"):
        load_file(f)


def test_utf16_with_bom_is_read(docs):
    f = docs / "u16.txt"
    f.write_bytes("Grüße aus Köln.".encode("utf-16"))
    assert load_file(f).text == "Grüße aus Köln."


def test_broken_link_is_refused(docs):
    link = docs / "gone.txt"
    link.symlink_to(docs / "missing.txt")
    with pytest.raises(LoadError, match="not found"):
        load_file(link)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_refused(docs):
    f = docs / "secret.txt"
    f.write_text("hidden", encoding="utf-8")
    f.chmod(0)
    with pytest.raises(LoadError, match="permission denied"):
        load_file(f)


def test_a_fifo_is_refused_without_blocking(docs):
    fifo = docs / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(LoadError, match="not a regular file"):
        load_file(fifo)


# -- what one file may cost (ASSISTANT_MAX_FILE_MB, ASSISTANT_MAX_PDF_PAGES) -----------------------
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(docs):
    from ingest.load import LoadLimits

    f = docs / "big.txt"
    f.write_text("All work and no play makes Jack a dull boy. " * 30_000)  # 1.3 MB
    with pytest.raises(LoadError, match=r"1\.3 MB, over the limit of 1 MB.*ASSISTANT_MAX_FILE_MB"):
        load_file(f, limits=LoadLimits(max_file_mb=1))
    assert load_file(f).text.startswith("All work")  # the default limit (50 MB) lets it in


def test_a_pdf_over_the_page_limit_is_refused_naming_the_setting(docs):
    from ingest.load import LoadLimits
    from tests.ingest.test_pdf import make_pdf

    f = make_pdf(docs / "r.pdf", [["The pier opened in spring."], ["The ferry runs hourly."], ["The museum shuts."]])
    with pytest.raises(LoadError, match="3 pages, over the limit of 2.*ASSISTANT_MAX_PDF_PAGES"):
        load_file(f, limits=LoadLimits(max_pdf_pages=2))
    assert load_file(f, limits=LoadLimits(max_pdf_pages=3)).pages


def test_a_zip_based_document_that_unpacks_to_too_much_is_refused_before_it_is_unpacked(docs):
    import zipfile

    from ingest.load import LoadLimits

    bomb = docs / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * 11_000_000)  # 11 MB of zeros, ~11 kB zipped
    assert bomb.stat().st_size < 100_000
    with pytest.raises(LoadError, match=r"unpacks to 11 MB, over the 10 MB.*ASSISTANT_MAX_FILE_MB"):
        load_file(bomb, limits=LoadLimits(max_file_mb=1))

