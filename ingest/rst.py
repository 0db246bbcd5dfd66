"""reStructuredText through docutils: section titles as headings at their depth, bullet,
enumerated, definition and field lists as items, literal blocks as code, tables as rows.
Directives that read files or URLs, and raw output, are disabled; comments, parser messages
and generated tables of contents are left out. Sphinx's cross-reference roles (:ref:, :func:
...) read as their text, since plain docutils does not know them."""

from __future__ import annotations

import io
import re

from ingest.errors import LoadError
from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, TextBuilder

_SETTINGS = {
    "report_level": 5,  # parser messages stay out of stderr and out of the text
    "halt_level": 5,
    "file_insertion_enabled": False,  # no .. include:: or :file: options reading the disk
    "raw_enabled": False,
    "doctitle_xform": False,  # the document title stays a section title, so a heading
    "sectsubtitle_xform": False,
    "docinfo_xform": False,
    "_disable_config": True,  # no docutils.conf from the working directory
}
_SPHINX_ROLES = (
    "ref doc term abbr any func meth class mod attr data const exc obj envvar option program "
    "file command kbd guilabel menuselection samp dfn keyword token numref download pep rfc"
).split()
_TARGET = re.compile(r"\s*<[^<>]*>\s*$")
_registered = False


def _register_roles() -> None:
    global _registered
    if _registered:
        return
    from docutils import nodes, utils
    from docutils.parsers.rst import roles

    def text_role(name, rawtext, text, lineno, inliner, options=None, content=None):
        text = utils.unescape(text)
        shown = _TARGET.sub("", text).lstrip("~!") or text  # "Title <target>" -> "Title"
        return [nodes.literal(rawtext, shown)], []

    for name in _SPHINX_ROLES:
        roles.register_local_role(name, text_role)
    _registered = True


class _Walker:
    def __init__(self, builder: TextBuilder) -> None:
        from docutils import nodes

        self.n = nodes
        self.b = builder
        self.skip = (
            nodes.system_message, nodes.comment, nodes.substitution_definition, nodes.target,
            nodes.raw, nodes.pending, nodes.image, nodes.transition, nodes.label,
        )

    def walk(self, node, depth: int = 0, list_depth: int = -1) -> None:
        n = self.n
        if isinstance(node, self.skip):
            return
        if isinstance(node, n.section):
            for child in node.children:
                if isinstance(child, n.title):
                    self.b.add(HEADING, child.astext(), level=depth + 1)
                else:
                    self.walk(child, depth + 1, list_depth)
        elif isinstance(node, n.topic) and "contents" in node.get("classes", []):
            return
        elif isinstance(node, (n.paragraph, n.title, n.subtitle, n.rubric, n.caption, n.line_block, n.attribution)):
            self.b.add(PARAGRAPH, node.astext())
        elif isinstance(node, (n.literal_block, n.doctest_block, n.math_block)):
            self.b.add(CODE, node.astext())
        elif isinstance(node, (n.bullet_list, n.enumerated_list)):
            for item in node.children:
                self.item(item.children, depth, list_depth + 1)
        elif isinstance(node, n.definition_list):
            for item in node.children:
                terms = [c.astext() for c in item.children if isinstance(c, (n.term, n.classifier))]
                rest = [c for c in item.children if isinstance(c, n.definition)]
                self.item([c for d in rest for c in d.children], depth, list_depth + 1, " : ".join(terms))
        elif isinstance(node, n.field_list):
            for field in node.children:
                name = next((c.astext() for c in field.children if isinstance(c, n.field_name)), "")
                body = [c for f in field.children if isinstance(f, n.field_body) for c in f.children]
                self.item(body, depth, list_depth + 1, name)
        elif isinstance(node, n.option_list):
            for item in node.children:
                self.b.add(ITEM, item.astext(), level=list_depth + 1)
        elif isinstance(node, n.table):
            for row in node.findall(n.row):
                cells = [" ".join(e.astext().split()) for e in row.children]
                self.b.add(ROW, " | ".join(c for c in cells if c))
        elif isinstance(node, n.TextElement):
            self.b.add(PARAGRAPH, node.astext())
        else:  # document, block quotes, admonitions, containers, figures, footnotes, ...
            for child in node.children:
                self.walk(child, depth, list_depth)

    def item(self, children, depth: int, level: int, lead: str = "") -> None:
        """A list item: its first paragraph (after `lead`, a term or field name) is the item;
        what follows is walked as blocks, nested lists one level deeper."""
        n = self.n
        children = [c for c in children if not isinstance(c, self.skip)]
        first = ""
        if children and isinstance(children[0], n.paragraph):
            first = children.pop(0).astext()
        text = f"{lead}: {first}" if lead and first else lead or first
        self.b.add(ITEM, text, level=level)
        for child in children:
            self.walk(child, depth, level)


def extract_rst(text: str, builder: TextBuilder) -> str | None:
    """Add the document's blocks to builder; returns its first section title."""
    from docutils.core import publish_doctree

    _register_roles()
    try:
        tree = publish_doctree(
            text, settings_overrides={**_SETTINGS, "warning_stream": io.StringIO()}
        )
    except RecursionError:
        raise LoadError("the reStructuredText is nested too deeply to read") from None
    except Exception as exc:  # docutils raises its own kinds on markup it cannot parse
        raise LoadError(
            f"not readable reStructuredText ({type(exc).__name__}: {exc}); check it with "
            "`rst2html` and fix the markup"
        ) from None
    _Walker(builder).walk(tree)
    heading = next((b for b in builder.blocks if b.kind == HEADING), None)
    return builder.text[heading.start : heading.end] if heading else None
