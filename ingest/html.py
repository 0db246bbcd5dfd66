"""Visible text of an HTML page."""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment

_INVISIBLE = ["script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object"]
_BLOCKS = [
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "td", "th",
]


def extract_html(markup: str) -> tuple[str, str | None]:
    """(visible text with one line per block element, <title> or first heading)."""
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        if tag.has_attr("hidden") or "display:none" in tag.get("style", "").replace(" ", ""):
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        # Paragraph-like blocks become paragraphs; cells and list items become lines.
        if tag.name in ("li", "td", "th", "dt", "dd", "tr"):
            tag.insert_after("\n")
        else:
            tag.insert_before("\n\n")
            tag.insert_after("\n\n")
    text = soup.get_text()
    if not title:
        heading = soup.find(["h1", "h2"])
        title = heading.get_text(" ", strip=True) if heading else None
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(lines), title or None
