"""CSV tables through the csv module: one row block per record. With a header row each record
reads "column: value | column: value", so a row answers a question on its own ("What is the
population of Lyon?" finds "city: Lyon | population: 522250"); without one, "value | value".
The delimiter (comma, semicolon, tab or bar) is sniffed."""

from __future__ import annotations

import csv
import io
import re

from ingest.errors import LoadError
from ingest.structure import ROW, TextBuilder

_NUMBER = re.compile(r"^[-+]?[\d.,\s%$€£]*\d[\d.,\s%$€£]*$")
SAMPLE = 64 * 1024


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:SAMPLE], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _is_header(row: list[str]) -> bool:
    """A first row whose cells are all filled, different, and not numbers."""
    cells = [c.strip() for c in row]
    return (
        len(cells) > 1
        and all(cells)
        and len(set(c.lower() for c in cells)) == len(cells)
        and not any(_NUMBER.match(c) for c in cells)
    )


def extract_csv(text: str, builder: TextBuilder) -> str | None:
    """Add one row block per record to builder. No title (the caller uses the file name)."""
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), _dialect(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise LoadError(f"not a readable CSV file ({exc}); check its quoting") from None
    if not rows:
        return None
    has_header = len(rows) > 1 and _is_header(rows[0])  # a lone row is data, not a header
    header = [" ".join(c.split()) for c in rows[0]] if has_header else None
    for row in rows[1:] if header else rows:
        values = [" ".join(c.split()) for c in row]
        if header:
            names = header + [""] * (len(values) - len(header))
            cells = [f"{name}: {value}" if name else value for name, value in zip(names, values) if value]
        else:
            cells = [value for value in values if value]
        builder.add(ROW, " | ".join(cells))
    return None
