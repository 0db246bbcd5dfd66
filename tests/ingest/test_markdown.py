"""Markdown becomes clean text: markup rendered away, structure kept as blocks."""

from pathlib import Path

from ingest.load import load_file
from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, heading_paths

DOC = """---
title: front matter is not text
---
# CORS { #cors }

Use **CORSMiddleware** with `allow_origins`, see [the guide](https://example.org/cors).

## Options

The middleware takes these arguments:

* `max_age` - Sets a maximum time in seconds for browsers to cache CORS responses.
  Defaults to `600`.
* `allow_credentials` - Whether cookies are supported.

    A second paragraph of the same item.

!!! note "Technical details"
    Admonition body text.

| option | default |
|---|---|
| max_age | 600 |

```python
app.add_middleware(CORSMiddleware)
```

```mermaid
graph TD; A-->B
```
"""


def load(docs, text: str, name: str = "cors.md"):
    f = Path(docs) / name
    f.write_text(text, encoding="utf-8")
    return load_file(f)


def block_texts(doc, kind):
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == kind]


def test_markup_is_rendered_away(docs):
    doc = load(docs, DOC)
    assert "Use CORSMiddleware with allow_origins, see the guide." in doc.text
    for markup in ("**", "`", "](", "{ #cors }", "* ", "---", "front matter", "mermaid", "A-->B"):
        assert markup not in doc.text, markup


def test_headings_are_blocks_with_levels_and_paths(docs):
    doc = load(docs, DOC)
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == HEADING]
    assert headings == [("CORS", 1), ("Options", 2)]
    assert doc.title == "CORS"
    paths = heading_paths(doc.text, doc.blocks)
    item = next(i for i, b in enumerate(doc.blocks) if b.kind == ITEM)
    assert paths[item] == "CORS > Options"


def test_a_list_item_keeps_its_continuation(docs):
    doc = load(docs, DOC)
    items = block_texts(doc, ITEM)
    assert items[0] == (
        "max_age - Sets a maximum time in seconds for browsers to cache CORS responses. "
        "Defaults to 600."
    )
    assert items[1] == "allow_credentials - Whether cookies are supported. A second paragraph of the same item."


def test_code_and_tables_are_blocks_and_admonition_labels_are_not_text(docs):
    doc = load(docs, DOC)
    assert block_texts(doc, CODE) == ["app.add_middleware(CORSMiddleware)"]
    assert block_texts(doc, ROW) == ["option: max_age | default: 600"]  # cells labelled by column
    assert "Admonition body text." in block_texts(doc, PARAGRAPH)
    assert "Technical details" not in doc.text


def test_every_block_is_its_slice_of_the_text(docs):
    doc = load(docs, DOC)
    assert doc.blocks and all(doc.text[b.start : b.end].strip() == doc.text[b.start : b.end] for b in doc.blocks)
    assert [b.start for b in doc.blocks] == sorted(b.start for b in doc.blocks)


def test_mkdocs_tabs_and_version_blocks_are_read_as_text(docs):
    doc = load(docs, '=== "Python 3.10+"\n\n    Use the new syntax.\n\n/// version-added | v2.13\nThe exclude_if parameter.\n///\n', "tabs.md")
    assert "Use the new syntax." in block_texts(doc, PARAGRAPH)
    assert not block_texts(doc, CODE)
    assert "Version added: v2.13" in doc.text


def test_nesting_deeper_than_the_parser_follows_keeps_its_words(docs):
    doc = load(docs, "> " * 600 + "deep quoted text here\n", "deep.md")
    assert "deep quoted text here" in doc.text


def test_a_list_nested_past_the_parsers_depth_keeps_every_item(docs):
    staircase = "".join("  " * d + f"- step {d}.\n" for d in range(200))
    doc = load(docs, staircase + "\nAfter the list.\n", "stairs.md")
    assert all(f"step {d}." in doc.text for d in range(200))
    assert "After the list." in doc.text


def test_lists_thirty_levels_deep_are_still_read_as_lists(docs):
    doc = load(docs, "".join("  " * d + f"- level **{d}**.\n" for d in range(30)), "deep.md")
    assert doc.text.startswith("level 0.\nlevel 1.")  # no bullets left: parsed as Markdown
    assert "**" not in doc.text  # ...and not read as plain text, which keeps the markup
    assert {b.kind for b in doc.blocks} == {"item"}
