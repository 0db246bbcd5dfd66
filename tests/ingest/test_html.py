"""HTML becomes its visible text with structure, in one pass whatever the nesting."""

from ingest.load import load_file
from ingest.structure import CODE, HEADING, ITEM, ROW


def load(docs, markup: str):
    f = docs / "page.html"
    f.write_text(markup, encoding="utf-8")
    return load_file(f)


def texts(doc, kind):
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == kind]


def test_structure_is_kept_and_chrome_dropped(docs):
    doc = load(docs, """<html><body><nav>Home | About</nav><header><h1>Harbour</h1></header>
        <aside>Related stories</aside><main><h2>Arrivals</h2>
        <p>Ships
           docked at <b>noon</b>.</p>
        <ul><li>one</li><li>two <ul><li>nested</li></ul></li></ul>
        <pre>x = 1
y = 2</pre><table><tr><th>ship</th><th>berth</th></tr><tr><td>Ada</td><td>4</td></tr></table>
        </main><footer>Copyright</footer></body></html>""")
    assert [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == HEADING] == [("Harbour", 1), ("Arrivals", 2)]
    assert "Ships docked at noon." in doc.text  # source line breaks are not sentence breaks
    assert texts(doc, ITEM) == ["one", "two", "nested"]
    assert texts(doc, CODE) == ["x = 1\ny = 2"]
    assert texts(doc, ROW) == ["ship: Ada | berth: 4"]  # each row labelled by the header
    for chrome in ("Home", "Related stories", "Copyright"):
        assert chrome not in doc.text


def test_deep_nesting_neither_recurses_nor_loses_text(docs):
    depth = 20_000
    doc = load(docs, "<div>" * depth + "deep text" + "</div>" * depth)
    assert doc.text == "deep text"
