"""OCR for scanned PDF pages and images, with Tesseract (Debian's `tesseract-ocr`) through
pytesseract; PDF pages are rendered with pypdfium2. Both Python packages come with the `[ocr]`
extra. OCR'd lines go through the same line joining as a PDF's text layer.

ASSISTANT_OCR_LANG picks Tesseract's languages ("eng" by default, "deu+eng" for two; each needs
its `tesseract-ocr-LANG` package).
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import shutil

from ingest.errors import LoadError
from ingest.lines import Joiner, typical_width, vocabulary
from ingest.structure import TextBuilder

IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
DPI = 300
MAX_PIXELS = 40_000_000  # a rendered page larger than this (a poster) is rendered at lower DPI
PAGE_TIMEOUT_S = 120
INSTALL = (
    "install OCR: `sudo apt-get install tesseract-ocr` (Debian/Ubuntu; `brew install tesseract` "
    "on macOS) and `pip install 'doc-assistant[ocr]'`, then ingest again"
)


def _missing() -> list[str]:
    missing = [name for name in ("pytesseract", "pypdfium2", "PIL") if importlib.util.find_spec(name) is None]
    if not shutil.which("tesseract"):
        missing.append("the tesseract program")
    return missing


def ocr_installed() -> bool:
    return not _missing()


def require_ocr(what: str = "an image") -> None:
    """Raise LoadError naming the install commands when OCR cannot run."""
    missing = _missing()
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise LoadError(f"{what} can only be read with OCR, and {' and '.join(missing)} {verb} missing; {INSTALL}")


def languages() -> str:
    return os.environ.get("ASSISTANT_OCR_LANG", "").strip() or "eng"


def ocr_image(image) -> str:
    """The text Tesseract reads in a PIL image, as lines (blank lines between paragraphs)."""
    import pytesseract

    try:
        return pytesseract.image_to_string(image.convert("L"), lang=languages(), timeout=PAGE_TIMEOUT_S)
    except pytesseract.TesseractNotFoundError:
        raise LoadError(f"the tesseract program was not found; {INSTALL}") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise LoadError(f"OCR took over {PAGE_TIMEOUT_S} s on one page ({exc}); split the file") from None
    except pytesseract.TesseractError as exc:
        hint = ""
        if "language" in str(exc).lower() or "traineddata" in str(exc):
            hint = f" (is `tesseract-ocr-{languages().split('+')[0]}` installed?)"
        raise LoadError(f"OCR failed: {exc.message or exc}{hint}") from None


def _add_pages(texts: list[tuple[int | None, str]], builder: TextBuilder) -> None:
    """OCR'd page texts into blocks, marking each page (None: no page number)."""
    lines = [line for _, text in texts for line in text.splitlines()]
    joiner = Joiner(builder, typical_width(lines), vocabulary("\n".join(lines)))
    for number, text in texts:
        if not text.strip():
            continue
        if number is not None:
            builder.page(number)
        joiner.end_block()
        for line in text.splitlines():
            joiner.line(line)


def extract_image(data: bytes, builder: TextBuilder) -> str | None:
    """OCR an image (each frame of a multi-page TIFF is a page)."""
    require_ocr()
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError:
        raise LoadError("not a readable image (damaged, or not the type its name says); re-save it as PNG or JPEG") from None
    except (Image.DecompressionBombError, OSError, ValueError) as exc:
        raise LoadError(f"not a readable image ({exc}); re-save it as PNG or JPEG") from None
    texts = [(n if len(frames) > 1 else None, ocr_image(frame)) for n, frame in enumerate(frames, 1)]
    _add_pages(texts, builder)
    if not builder.blocks:
        raise LoadError("OCR found no text in the image; it may hold only a picture, or be too blurred")
    return None


def ocr_scanned_pages(data: bytes, reader, pages: list[list[str]]) -> None:
    """Fill in, as OCR'd lines, the pages of a PDF that have no text layer but an image (a
    scanned page), or every page when none has text. Without OCR installed, a PDF with no text
    at all is refused naming the install commands, and a mixed one keeps its text pages."""
    blank = [i for i, lines in enumerate(pages) if not any(s.strip() for s in lines)]
    if not blank:
        return
    if len(blank) < len(pages):
        blank = [i for i in blank if _has_image(reader.pages[i])]
        if not blank or not ocr_installed():
            return
    require_ocr("the PDF has no text layer (a scan?); it")
    for i, text in ocr_pdf_pages(data, blank).items():
        pages[i] = text.splitlines()


def _has_image(page) -> bool:
    try:
        return len(page.images) > 0
    except Exception:  # pypdf on a damaged resource dictionary
        return False


def ocr_pdf_pages(data: bytes, indices: list[int]) -> dict[int, str]:
    """The OCR'd text of the PDF's pages at these 0-based indices."""
    import pypdfium2 as pdfium

    out = {}
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise LoadError(f"the PDF could not be rendered for OCR ({exc}); re-export it") from None
    try:
        for i in indices:
            page = pdf[i]
            width, height = page.get_size()
            scale = min(DPI / 72, math.sqrt(MAX_PIXELS / max(width * height, 1)))
            out[i] = ocr_image(page.render(scale=scale).to_pil())
            page.close()
    finally:
        pdf.close()
    return out
