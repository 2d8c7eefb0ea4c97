"""What is wrong with a draft, as the modeller and the API show it: file, element, message."""

from __future__ import annotations

import engine
from webapp.services.common.errors import DomainError

MAX_PROBLEMS = 50
Problem = engine.Problem


def as_dict(problem: Problem) -> dict[str, str | None]:
    return {"file": problem.file, "element": problem.element, "message": problem.message}


class DraftInvalid(DomainError):
    """The draft does not load: publishing is refused and nothing changes."""

    status = 422
    type = "definition_error"
    title = "Il servizio ha errori e non può essere pubblicato"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if len(problems) == 1 else
                         f"{len(problems)} problemi nella definizione del servizio.",
                         errors=[as_dict(p) for p in problems[:MAX_PROBLEMS]])
        self.problems = problems


def problems_of(exc: engine.DefinitionError) -> list[Problem]:
    return list(exc.problems)
