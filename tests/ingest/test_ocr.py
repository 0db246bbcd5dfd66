"""OCR: a page image drawn here (Pillow), as an image file and as a PDF holding only that image
(fpdf2), is read with Tesseract. Needs Debian's tesseract-ocr and the [ocr] extra, which
.ci/run installs; without them only the "how to install" messages are tested."""

from __future__ import annotations

import pytest

from ingest import ocr
from ingest.errors import LoadError
from ingest.load import load_file

needs_ocr = pytest.mark.skipif(
    not ocr.ocr_installed(),
    reason="OCR not installed: apt-get install tesseract-ocr; pip install -e '.[ocr]'",
)

LINES = ["Harbour Report", "The ships docked at noon on Tuesday.", "Grain cargo weighed 1200 tons."]


def page_image(lines=LINES, size=(1700, 2200)):
    """A white A4-ish page at 200 dpi with black text, like a scan."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    y = 200
    for line in lines:
        draw.text((150, y), line, fill="black", font=font)
        y += 110
    return image


def scanned_pdf(path, images, text_pages=()):
    """A PDF whose pages are the images, with no text layer; pages in text_pages get real text
    instead."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=12)
    for i, image in enumerate(images):
        pdf.add_page()
        if i in text_pages:
            pdf.multi_cell(0, 8, image)
        else:
            pdf.image(image, x=0, y=0, w=210)
    pdf.output(str(path))
    return path


def words(text):
    return set(text.lower().replace(".", " ").split())


@needs_ocr
def test_an_image_is_read_by_ocr(docs):
    f = docs / "scan.png"
    page_image().save(f)
    doc = load_file(f)
    assert {"harbour", "ships", "docked", "noon", "tuesday", "grain", "1200", "tons"} <= words(doc.text)
    assert "The ships docked at noon on Tuesday." in doc.text
    for b in doc.blocks:
        assert doc.text[b.start : b.end].strip() == doc.text[b.start : b.end] != ""


@needs_ocr
def test_a_scanned_pdf_is_read_by_ocr_with_page_numbers(docs):
    f = scanned_pdf(docs / "scan.pdf", [page_image(), page_image(["Second page about the winds."])])
    doc = load_file(f)
    assert "The ships docked at noon on Tuesday." in doc.text
    assert doc.page_at(doc.text.index("docked")) == 1
    assert doc.page_at(doc.text.index("winds")) == 2


@needs_ocr
def test_a_scanned_page_inside_a_text_pdf_is_read_by_ocr(docs):
    f = scanned_pdf(docs / "mixed.pdf", ["A typed cover page about tides.", page_image()], text_pages={0})
    doc = load_file(f)
    assert doc.page_at(doc.text.index("tides")) == 1
    assert doc.page_at(doc.text.index("docked")) == 2


@needs_ocr
def test_a_multipage_tiff_gives_pages(docs):
    f = docs / "fax.tiff"
    first, second = page_image(["Page one mentions tides."]), page_image(["Page two mentions winds."])
    first.save(f, save_all=True, append_images=[second])
    doc = load_file(f)
    assert doc.page_at(doc.text.index("tides")) == 1
    assert doc.page_at(doc.text.index("winds")) == 2


@needs_ocr
def test_an_image_without_text_is_refused_with_a_reason(docs):
    from PIL import Image

    f = docs / "blank.png"
    Image.new("RGB", (400, 300), "white").save(f)
    with pytest.raises(LoadError, match="OCR found no text"):
        load_file(f)


def test_missing_tesseract_names_the_install_command(docs, monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    page_image().save(docs / "scan.png")
    with pytest.raises(LoadError, match=r"tesseract program is missing.*apt-get install tesseract-ocr"):
        load_file(docs / "scan.png")
    scanned_pdf(docs / "scan.pdf", [page_image()])
    with pytest.raises(LoadError, match=r"no text layer.*OCR.*apt-get install tesseract-ocr.*\[ocr\]"):
        load_file(docs / "scan.pdf")
