"""What is wrong with a draft, as the modeller and the API show it: file, element, message."""

from __future__ import annotations

import re
from dataclasses import dataclass

import engine
from webapp.services.common.errors import DomainError

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    file: str
    element: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "element": self.element, "message": self.message}


class DraftInvalid(DomainError):
    """The draft does not load: publishing is refused and nothing changes."""

    status = 422
    type = "definition_error"
    title = "Il servizio ha errori e non può essere pubblicato"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if len(problems) == 1 else
                         f"{len(problems)} problemi nella definizione del servizio.",
                         errors=[p.as_dict() for p in problems[:MAX_PROBLEMS]])
        self.problems = problems


_PREFIX = re.compile(r"^(?P<file>[\w./-]+\.(?:bpmn|dmn|yaml|json))(?: \(element '(?P<element>[^']+)'\))?: ")
_ELEMENT = re.compile(r"^[A-Za-z][\w ]{0,40}? '(?P<element>[^']+)'")


def problems_of(exc: engine.DefinitionError) -> list[Problem]:
    """The problems a load error reports: the engine's own list where it gives one, else its message read
    for the file and element it names first."""
    listed = getattr(exc, "problems", None)
    if listed:
        return [Problem(p.file, p.element, p.message) for p in listed]
    text = str(exc)
    match = _PREFIX.match(text)
    if match is None:
        return [Problem("", None, text)]
    rest = text[match.end():]
    element = match.group("element")
    inner = _ELEMENT.match(rest)
    if element is None and inner is not None:
        element = inner.group("element")
    return [Problem(match.group("file"), element, rest)]
