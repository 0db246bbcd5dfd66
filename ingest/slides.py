"""PowerPoint (.pptx) presentations through python-pptx: each slide is a page ("slide N" in
citations), its title a level-1 heading, then its text in reading order (top to bottom, left to
right): bulleted paragraphs as list items with their indent level, other text as paragraphs,
tables as rows, grouped shapes read as their parts; then the speaker notes. Dates, footers and
slide-number boxes are left out."""

from __future__ import annotations

import io

from ingest.errors import LoadError
from ingest.structure import HEADING, ITEM, PARAGRAPH, ROW, TextBuilder

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _placeholder_type(shape):
    if not shape.is_placeholder:
        return None
    try:
        return shape.placeholder_format.type
    except (ValueError, AttributeError, KeyError):
        return None


def _position(shape) -> tuple[int, int]:
    try:
        return (shape.top or 0, shape.left or 0)
    except (ValueError, AttributeError, KeyError):
        return (0, 0)


def _bulleted(paragraph, in_body: bool) -> bool:
    """Body placeholders are bulleted unless a paragraph turns bullets off; other text boxes
    only where a paragraph turns them on."""
    ppr = paragraph._p.pPr
    if ppr is not None:
        if ppr.find(_A + "buNone") is not None:
            return False
        if ppr.find(_A + "buChar") is not None or ppr.find(_A + "buAutoNum") is not None:
            return True
    return in_body


def _shapes(shapes, builder: TextBuilder, skip) -> None:
    from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

    running = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.HEADER}
    body = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.VERTICAL_BODY, PP_PLACEHOLDER.VERTICAL_OBJECT}
    for shape in sorted(shapes, key=_position):
        if shape is skip or (skip is not None and shape.shape_id == skip.shape_id):
            continue
        kind = _placeholder_type(shape)
        if kind in running:
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            _shapes(shape.shapes, builder, None)
        elif shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                if _bulleted(paragraph, kind in body):
                    builder.add(ITEM, paragraph.text, level=paragraph.level)
                else:
                    builder.add(PARAGRAPH, paragraph.text)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [" ".join(c.text.split()) for c in row.cells if not c.is_spanned]
                builder.add(ROW, " | ".join(c for c in cells if c))


def extract_pptx(data: bytes, builder: TextBuilder) -> str | None:
    """Add the presentation's slides to builder, each as a page; returns its title (document
    properties, or the first slide's title)."""
    from pptx import Presentation

    try:
        presentation = Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
        title = (presentation.core_properties.title or "").strip()
    except Exception as exc:  # python-pptx raises many kinds on a damaged package
        raise LoadError(
            f"not a readable PowerPoint presentation ({type(exc).__name__}: {exc}); open and "
            "re-save it in PowerPoint or LibreOffice, or save it as PDF"
        ) from None
    for number, slide in enumerate(slides, start=1):
        builder.page(number)
        heading = slide.shapes.title
        if heading is not None and heading.has_text_frame:
            n = len(builder.blocks)
            builder.add(HEADING, heading.text_frame.text, level=1)
            if not title and len(builder.blocks) > n:
                title = builder.text[builder.blocks[n].start : builder.blocks[n].end]
        _shapes(slide.shapes, builder, heading)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            for paragraph in slide.notes_slide.notes_text_frame.paragraphs:
                builder.add(PARAGRAPH, paragraph.text)
    if not builder.blocks:
        raise LoadError("the presentation has no text (pictures only?); export it as PDF to OCR it")
    return title or None
