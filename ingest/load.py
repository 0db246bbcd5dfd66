"""Read one file into its extracted text. Bad files raise LoadError with a reason a person reads."""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingest.clean import clean_text
from ingest.errors import LoadError
from ingest.lines import plain_text_blocks
from ingest.ocr import IMAGES, ocr_installed
from ingest.structure import Block, TextBuilder

# Binary formats: the module and function that add a file's blocks to a TextBuilder.
_BINARY = {
    ".docx": ("ingest.word", "extract_docx"),
    ".pptx": ("ingest.slides", "extract_pptx"),
    ".odt": ("ingest.odt", "extract_odt"),
    ".epub": ("ingest.epub", "extract_epub"),
}
SLIDES = (".pptx",)  # their pages are slides
SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".rst", ".csv", *_BINARY)
# Images are read by OCR, so only where the [ocr] extra and tesseract are installed; elsewhere
# a folder's photos are not files that failed.
SUPPORTED += IMAGES if ocr_installed() else ()
SUPPORTED_LIST = ", ".join(SUPPORTED)


@dataclass(frozen=True)
class LoadLimits:
    """What one file may cost. Settings ASSISTANT_MAX_FILE_MB and ASSISTANT_MAX_PDF_PAGES;
    a PDF's decompressed streams are bounded by pypdf itself (about 75 MB per stream)."""

    max_file_mb: float = 50.0  # size on disk, checked before the file is read
    max_pdf_pages: int = 2000

    @property
    def max_unzipped_mb(self) -> float:
        """Word, PowerPoint, OpenDocument and EPUB files are zip archives: a small file can
        inflate to gigabytes (a "zip bomb"), so what they unpack to is bounded too."""
        return 10 * self.max_file_mb


DEFAULT_LIMITS = LoadLimits()


@dataclass
class LoadedDocument:
    path: Path
    text: str  # the extracted text; chunk offsets index into it
    title: str
    # (offset, page number) where each page (PDF, Word) or slide starts in `text`; empty when
    # the format has none
    pages: list[tuple[int, int]] = field(default_factory=list)
    # the structure: headings, paragraphs, list items, code, table rows (see ingest.structure)
    blocks: list[Block] = field(default_factory=list)
    page_label: str = ""  # what a page is called in citations: "" for "p. N", "slide"

    @functools.cached_property
    def hash(self) -> str:
        # cached: every chunk's metadata asks for it, and hashing the whole text per chunk made
        # splitting quadratic (a 5 MB file spent 30 s here)
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def page_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.pages, (offset, float("inf"))) - 1
        return self.pages[i][1] if i >= 0 else None


def load_file(path: str | Path, limits: LoadLimits | None = None) -> LoadedDocument:
    """The file's extracted text, or LoadError with the reason and what to do."""
    limits = limits or DEFAULT_LIMITS
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in IMAGES and suffix not in SUPPORTED:
        from ingest.ocr import require_ocr

        require_ocr()  # raises LoadError naming the install commands
    if suffix not in SUPPORTED:
        raise LoadError(
            f"unsupported file type '{suffix or path.name}'; supported: {SUPPORTED_LIST}. "
            "Convert it to one of these, or leave it out."
        )
    data = _read_bytes(path, limits.max_file_mb)
    if not data.strip():
        raise LoadError("the file is empty; add text to it or remove it from the folder")
    builder = TextBuilder()
    if suffix == ".pdf":
        from ingest.pdf import extract_pdf

        title = extract_pdf(data, builder, max_pages=limits.max_pdf_pages)
    elif suffix in _BINARY:
        _check_archive(data, suffix, limits.max_unzipped_mb)
        module, function = _BINARY[suffix]
        title = getattr(importlib.import_module(module), function)(data, builder)
    elif suffix in IMAGES:
        from ingest.ocr import extract_image

        title = extract_image(data, builder)
    else:
        raw = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
        if suffix in (".html", ".htm"):
            from ingest.html import extract_html_into

            title = extract_html_into(raw, builder)
        elif suffix in (".md", ".markdown"):
            from ingest.markdown import extract_markdown

            title = extract_markdown(raw, builder)
        elif suffix == ".rst":
            from ingest.rst import extract_rst

            title = extract_rst(raw, builder)
        elif suffix == ".csv":
            from ingest.csv_tables import extract_csv

            title = extract_csv(raw, builder) or path.stem
        else:
            title = plain_text_blocks(clean_text(raw), builder)
    text = builder.text
    if not text.strip():
        raise LoadError("no text left after extraction (only markup or boilerplate)")
    return LoadedDocument(
        path, text, title or _first_line(text) or path.stem, builder.pages, builder.blocks,
        "slide" if suffix in SLIDES else "",
    )


def _check_archive(data: bytes, suffix: str, max_mb: float) -> None:
    """The sizes a zip declares bound what reading it inflates (zipfile stops at them)."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: the format's reader says so in its own words
    if unpacked > max_mb * 1_000_000:
        raise LoadError(
            f"unpacks to {unpacked / 1e6:,.0f} MB, over the {max_mb:g} MB allowed for a "
            f"{suffix} file (10 x ASSISTANT_MAX_FILE_MB); raise ASSISTANT_MAX_FILE_MB if the "
            "file is genuine, or leave it out"
        )


def _read_bytes(path: Path, max_mb: float) -> bytes:
    limit = int(max_mb * 1_000_000)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise LoadError("not a regular file (a device, pipe or folder); skip it")
        if st.st_size > limit:
            raise _too_large(st.st_size, max_mb)
        with path.open("rb") as f:
            data = f.read(limit + 1)  # the file may have grown since stat()
        if len(data) > limit:
            raise _too_large(len(data), max_mb)
        return data
    except FileNotFoundError:
        raise LoadError("file not found (moved or deleted, or a broken link)") from None
    except PermissionError:
        raise LoadError("permission denied; make the file readable (chmod +r) and ingest again") from None
    except IsADirectoryError:
        raise LoadError("is a folder, not a file") from None
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror or exc}") from None


def _too_large(size: int, max_mb: float) -> LoadError:
    return LoadError(
        f"the file is {size / 1_000_000:.1f} MB, over the limit of {max_mb:g} MB; split it, "
        "or raise ASSISTANT_MAX_FILE_MB"
    )


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError(
                "starts like UTF-16 text but is not valid UTF-16 (truncated or damaged); "
                "re-save the file as UTF-8"
            ) from None
    if b"\x00" in data:
        raise LoadError(
            "looks like a binary file (it contains NUL bytes), not text; if it is in another "
            "supported format, give it that format's extension"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "re-save the file as UTF-8"
        ) from None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""
