"""Markdown as clean text with its structure: markdown-it-py (CommonMark, plus tables, front
matter and admonitions) parses it; markup (`**`, backticks, link syntax, bullets, heading anchors)
is rendered away, code and tables are kept as blocks, diagrams are dropped."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, TextBuilder, labelled_rows

# `# Title { #anchor }` (attr_list): the braces are markup, not part of the title.
_ATTRS = re.compile(r"\s*\{\s*[#.:][^{}]*\}\s*$")
# Fences whose content is a picture description, not text a reader would quote.
_DIAGRAMS = frozenset({"mermaid", "plantuml", "dot", "graphviz", "svgbob", "ditaa", "d2"})
# MkDocs content tabs (`=== "Python"`) indent their content; without the extension that
# content would parse as an indented code block.
_TAB = re.compile(r'^(?P<indent>[ \t]*)(===|\?\?\?\+?|!!!)[ \t]+.*$')
# pymdownx blocks (`/// version-added | 2.10` ... `///`): the opening line says what they are.
_BLOCK_OPEN = re.compile(r"^[ \t]*///[ \t]*(?P<kind>[\w-]+)[ \t]*(?:\|[ \t]*(?P<title>.*))?$")
_BLOCK_CLOSE = re.compile(r"^[ \t]*///[ \t]*$")
# "[text][ref]" whose reference is defined elsewhere (MkDocs autorefs): CommonMark leaves the
# brackets as text when it cannot resolve the reference.
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")


MAX_NESTING = 100


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    # maxNesting: commonmark's 20 is hit by 10 nested list levels; 100 stays far below Python's
    # recursion limit (the parser recurses a few frames per level)
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    return md.use(front_matter_plugin).use(admon_plugin).use(deflist_plugin)


def _prepare(source: str) -> str:
    """Undo the indentation of MkDocs tabs and admonitions' bodies where the plain CommonMark
    parser would take them for code, and turn pymdownx block openers into plain lines."""
    out: list[str] = []
    dedent: int | None = None  # indentation to remove from the current tab's content
    for line in source.split("\n"):
        if dedent is not None:
            stripped = line[: dedent + 4]
            if not line.strip():
                out.append("")
                continue
            if stripped.startswith(" " * (dedent + 4)):
                out.append(line[dedent + 4 :])
                continue
            dedent = None
        tab = _TAB.match(line)
        if tab and line.lstrip().startswith("==="):
            dedent = len(tab.group("indent").expandtabs(4))
            title = line.strip()[3:].strip().strip('"')
            out.append(f"{title}:" if title else "")
            continue
        opener = _BLOCK_OPEN.match(line)
        if opener:
            kind = opener.group("kind").replace("-", " ").capitalize()
            title = (opener.group("title") or "").strip().strip('"')
            out.append(f"{kind}: {title}" if title else f"{kind}:")
            out.append("")
            continue
        if _BLOCK_CLOSE.match(line):
            out.append("")
            continue
        out.append(line)
    return "\n".join(out)


def render_inline(token) -> str:
    """The visible text of an inline token: link text without its URL, code without backticks,
    images by their alt text, emphasis without its markers, inline HTML dropped."""
    parts: list[str] = []
    for child in token.children or []:
        t = child.type
        if t in ("text", "code_inline"):
            parts.append(child.content)
        elif t in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif t == "image":
            parts.append(child.content)
    return _REF_LINK.sub(r"\1", "".join(parts))


def extract_markdown(source: str, builder: TextBuilder) -> str | None:
    """Add the document's blocks to builder; returns the first heading, for a title."""
    from ingest.lines import plain_text_blocks

    tokens = _parser().parse(_prepare(source))
    if tokens and max(tok.level for tok in tokens) >= MAX_NESTING - 1:
        # markdown-it skips what is nested past its depth (500 nested quotes): rather than lose
        # those words, the document is read as plain text
        return plain_text_blocks(source, builder)
    title = None
    depth = -1  # list nesting
    # per open list item: the index of its block once its first paragraph is written
    in_item: list[int | None] = []
    cells: list[str] | None = None
    header: list[str] | None = None  # the table's head row, labelling its cells
    in_head = False
    heading_level = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t in ("list_item_open", "dt_open", "dd_open"):
            in_item.append(None)
        elif t in ("list_item_close", "dt_close", "dd_close"):
            in_item.pop()
        elif t == "heading_open":
            heading_level = int(tok.tag[1:])
        elif t == "tr_open":
            cells = []
        elif t == "tr_close":
            if cells is not None and in_head:
                header = cells
            elif cells is not None:
                for line in labelled_rows([cells], header):
                    builder.add(ROW, line)
            cells = None
        elif t == "thead_open":
            in_head, header = True, None
        elif t == "thead_close":
            in_head = False
        elif t == "inline":
            text = render_inline(tok)
            if cells is not None:
                cells.append(text)
            elif heading_level:
                text = _ATTRS.sub("", text)
                builder.add(HEADING, text, level=heading_level)
                title = title or (text.strip() or None)
                heading_level = 0
            elif tokens[i - 1].type == "admonition_title_open":
                pass  # "Note", "Tip": the label of the box, not content
            elif in_item:
                mine = in_item[-1]
                if mine is not None and mine == len(builder.blocks) - 1:
                    builder.extend_last(text)  # the item's next paragraph continues it
                else:
                    builder.add(ITEM, text, level=max(depth, 0))
                    in_item[-1] = len(builder.blocks) - 1
            else:
                builder.add(PARAGRAPH, text)
        elif t in ("fence", "code_block"):
            lang = (tok.info or "").strip().split(" ")[0].lower()
            if lang not in _DIAGRAMS:
                builder.add(CODE, tok.content)
        elif t == "html_block":
            from ingest.html import extract_html_into

            extract_html_into(tok.content, builder)
        i += 1
    if not builder.blocks and source.strip():
        return plain_text_blocks(source, builder)
    return title
