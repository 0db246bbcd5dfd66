"""Citations: every quote a verbatim span of its document, with the heading that gives it
meaning (the nearest, or the one up the path that holds the asked version or date), on the
heading's own page."""

from tests.assistant.conftest import answer_over


def test_a_changelog_line_is_cited_with_the_version_heading_it_falls_under(docs, data_dir):
    history = (
        "# Release notes\n\n## v3.2.0 (2026-05-22)\n\nThe parser is faster on long files.\n\n"
        "### What's Changed\n\n#### Packaging\n\n"
        + "".join(f"* Bump the linter to 0.{i}.1 in #{1200 + i}\n" for i in range(12))
        + "* Drop support for Python 3.9 in #1307\n\n"
        "## v3.1.0 (2026-01-10)\n\nThe first release with plugins and a new command line.\n"
    )
    ans = answer_over(docs, data_dir, {"HISTORY.md": history}, "Which release dropped Python 3.9?")
    assert ans.found and "Drop support for Python 3.9" in ans.text
    heading = next(c for c in ans.citations if c.quote.startswith("v3.2.0"))
    assert heading.quote == "v3.2.0 (2026-05-22)"  # not "Packaging", the nearest heading
    assert heading.n < next(c.n for c in ans.citations if "Python 3.9" in c.quote)
    assert ans.short is not None and ans.short.n == heading.n and ans.short.text == "v3.2.0"


def test_a_heading_cited_from_a_later_page_is_cited_on_its_own_page():
    from assistant.candidates import Candidate
    from assistant.citing import citation, heading_citation
    from ingest.split import split_document
    from tests.ingest.test_split import structured

    paragraphs = [("paragraph", f"Rule {i} of the harbour applies to every vessel in port.", 0) for i in range(30)]
    blocks = [("heading", "Port manual", 1), ("paragraph", "Read this first.", 0), ("heading", "Harbour rules", 2)]
    doc = structured([*blocks, *paragraphs], pages={0: 3, 2: 4, 12: 5, 22: 6})
    last = split_document(doc, "r.pdf", chunk_size=300, chunk_overlap=0)[-1]
    end = last.page_content.index(".") + 1
    c = Candidate(doc=last, rank=0, unit=None, start=0, end=end, kinds="s")

    def span(heading):
        return doc.text.index(heading), doc.text.index(heading) + len(heading)

    nearest, above = heading_citation(1, c, span("Harbour rules"), "Harbour rules"), heading_citation(1, c, span("Port manual"), "Port manual")
    assert (nearest.page, nearest.headings) == (4, "Port manual > Harbour rules")
    assert (above.page, above.headings) == (3, "Port manual")  # its own page and path, not the nearest's
    assert citation(2, c).page == 6

    # a chunk from an index written before the path's offsets were kept: the nearest heading
    del last.metadata["heading_spans"], last.metadata["heading_pages"]
    assert c.heading_parts == [("Harbour rules", span("Harbour rules"))]
    assert heading_citation(1, c, span("Harbour rules"), "Harbour rules").page == 4
