"""Chunks that follow the document's structure and remember where they came from.

A document is cut into sections at its headings; each section is packed into chunks of whole
answer units (sentences, list items, code blocks, table rows, see ingest.units), so a chunk
starts at a heading or at a unit, never mid-sentence. Each chunk carries its heading path and
its units' spans. LangChain's splitters work on plain strings; they know neither the blocks
nor offsets into a text they did not produce, hence this packer.

Invariant: for every chunk, extracted_text[start:end] == chunk.page_content.
"""

from __future__ import annotations

from langchain_core.documents import Document

from ingest.load import LoadedDocument
from ingest.structure import HEADING, Block, heading_path, heading_stacks
from ingest.units import CODES, Unit, answer_units, encode_units

HEADINGS_KEY, UNITS_KEY, PAGE_BREAKS_KEY = "headings", "units", "page_breaks"
PAGE_LABEL_KEY = "page_label"
HEADING_AT_KEY = "heading_at"  # "start,end" of the heading the chunk sits under
HEADING_PAGE_KEY = "heading_page"  # its page: a heading often lies pages before the chunk
# "start,end;start,end" of every heading of the path, outermost first: the version a changelog
# line falls under is often a heading or two above the nearest one ("v2.1 > Changes")
HEADING_SPANS_KEY = "heading_spans"
HEADING_PAGES_KEY = "heading_pages"  # their pages, in the same order (documents with pages)
_HEAD = CODES[HEADING]


def _sections(doc: LoadedDocument, units: list[Unit]) -> list[tuple[list[Block], Unit | None, list[Unit]]]:
    """(the headings of its path, its heading, units) for each run of units under one heading;
    a heading with nothing under it before the next one makes no section (it lives on in its
    children's path)."""
    stacks = heading_stacks(doc.blocks)
    out: list[tuple[list[Block], Unit | None, list[Unit]]] = []
    current: list[Unit] = []
    stack: list[Block] = []
    heading = None
    for unit in units:
        if unit.kind == _HEAD:
            if any(u.kind != _HEAD for u in current):
                out.append((stack, heading, current))
            current = [unit]
            stack, heading = stacks[unit.block], unit
        else:
            if not current:
                stack = stacks[unit.block] if doc.blocks else []
            current.append(unit)
    if any(u.kind != _HEAD for u in current):
        out.append((stack, heading, current))
    if not out and units:  # nothing but headings (a one-line title of a file): they are the text
        out.append(([], None, units))
    return out


def _pack(units: list[Unit], size: int, overlap: int, text: str) -> list[list[Unit]]:
    """Greedy packing of whole units into chunks of at most `size` characters (a single longer
    unit makes a chunk of its own); each chunk after the first repeats the last units of the one
    before, up to `overlap` characters, but never a heading. A lead-in ("... as follows:") is
    not left at the end of a chunk: it moves on with what it introduces."""
    chunks: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in units:
        if current and unit.end - current[0].start > size:
            lead_in = []
            if len(current) > 1 and text[current[-1].start : current[-1].end].rstrip().endswith(":"):
                lead_in = [current.pop()]
            chunks.append(current)
            carried: list[Unit] = []
            for prev in reversed(current):
                if prev.kind == _HEAD or current[-1].end - prev.start > overlap:
                    break
                if unit.end - prev.start > size:
                    break
                carried.insert(0, prev)
            if len(carried) == len(current):  # an overlap that repeats everything moves nothing
                carried = carried[1:]
            current = carried + lead_in
        current.append(unit)
    if current:
        chunks.append(current)
    return chunks


def split_document(
    doc: LoadedDocument, source: str, chunk_size: int, chunk_overlap: int
) -> list[Document]:
    """Chunks of one loaded document with source, title, doc_hash, chunk, start, end, headings,
    heading_at, heading_spans, units (and page, page_breaks, page_label, heading_page,
    heading_pages where the document has pages or slides)."""
    units = answer_units(doc, max_chars=chunk_size)
    out: list[Document] = []
    for spans, heading, section in _sections(doc, units):
        path = heading_path(doc.text, spans)
        for group in _pack(section, chunk_size, chunk_overlap, doc.text):
            start, end = group[0].start, group[-1].end
            content = doc.text[start:end]
            meta = {
                "source": source, "title": doc.title, "doc_hash": doc.hash,
                "chunk": len(out), "start": start, "end": end,
                HEADINGS_KEY: path, UNITS_KEY: encode_units(group, start),
            }
            if heading is not None:
                meta[HEADING_AT_KEY] = f"{heading.start},{heading.end}"
            if spans:
                meta[HEADING_SPANS_KEY] = ";".join(f"{h.start},{h.end}" for h in spans)
            if doc.pages:
                meta["page"] = doc.page_at(start)
                if heading is not None:
                    meta[HEADING_PAGE_KEY] = doc.page_at(heading.start)
                if spans:
                    meta[HEADING_PAGES_KEY] = ";".join(str(doc.page_at(h.start)) for h in spans)
                breaks = [(o - start, n) for o, n in doc.pages if start < o < end]
                if breaks:
                    meta[PAGE_BREAKS_KEY] = ";".join(f"{o}:{n}" for o, n in breaks)
                if doc.page_label:
                    meta[PAGE_LABEL_KEY] = doc.page_label  # "slide": its pages are slides
            out.append(Document(page_content=content, metadata=meta))
    return out


def path_headings(metadata: dict) -> list[tuple[int, int, int | None]]:
    """(start, end, page) of each heading of a chunk's path, outermost first, as split_document
    recorded them (page None for a document without pages); [] for a chunk written before."""
    spans = [pair.split(",") for pair in str(metadata.get(HEADING_SPANS_KEY) or "").split(";") if "," in pair]
    pages = [int(p) for p in str(metadata.get(HEADING_PAGES_KEY) or "").split(";") if p]
    if len(pages) != len(spans):
        pages = [None] * len(spans)
    return [(int(a), int(b), page) for (a, b), page in zip(spans, pages)]


def page_of(metadata: dict, offset: int) -> int | None:
    """The page of a chunk-relative offset: the chunk's first page, or a later one when the
    offset lies past a page break inside the chunk."""
    page = metadata.get("page")
    for pair in filter(None, str(metadata.get(PAGE_BREAKS_KEY) or "").split(";")):
        at, number = pair.split(":")
        if int(at) <= offset:
            page = int(number)
    return page
