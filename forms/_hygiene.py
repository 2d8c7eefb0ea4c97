"""Values no form accepts, whatever its schema says: text that is not valid Unicode (a lone surrogate
such as "\\ud800", which no UTF-8 page or export can write), NUL characters, and numbers that are not
finite (NaN, Infinity, 1e999), which JSON itself cannot carry and `minimum` does not catch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from forms._errors import FieldError, pointer_of

BAD_TEXT = "Il testo contiene caratteri non validi."
NUL_TEXT = "Il testo contiene un carattere non ammesso (NUL)."
NOT_FINITE = "Serve un numero finito."


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored and shown, or None."""
    if "\x00" in text:
        return NUL_TEXT
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return BAD_TEXT
    return None


def bad_values(data: Any, limit: int = 50) -> list[FieldError]:
    """Every such value in `data` (keys included), at its JSON pointer; at most `limit` of them."""
    found: list[FieldError] = []
    for error in _walk(data):
        found.append(error)
        if len(found) >= limit:
            break
    return found


def _walk(data: Any) -> Iterator[FieldError]:
    # Iterative: a hostile document may be nested deeper than Python's recursion limit.
    stack: list[tuple[list[str | int], Any]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                yield FieldError(pointer_of(path), problem, "format")
        elif isinstance(value, float):
            if not math.isfinite(value):
                yield FieldError(pointer_of(path), NOT_FINITE, "type")
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                problem = text_problem(str(key))
                if problem:
                    yield FieldError(pointer_of(path), problem, "format")
                    continue
                stack.append(([*path, key], item))
        elif isinstance(value, list):
            stack.extend(([*path, index], item) for index, item in reversed(list(enumerate(value))))
