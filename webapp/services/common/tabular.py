"""Cells and CSV text for exports: one safe way to write what a spreadsheet will open.

A cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe
(OWASP CSV injection); numbers and times are written in Italian formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from webapp.services.common import formatting

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Text for a spreadsheet cell; a leading formula character is neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formatting.datetime_text(value)
    if isinstance(value, bool):
        return "Sì" if value else "No"
    if isinstance(value, int | float):
        return formatting.number_text(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(cell_rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text in chunks (UTF-8 with BOM so that spreadsheets read accents; ; as in Italian locales)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for index, cells in enumerate(cell_rows):
        writer.writerow(cells)
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
