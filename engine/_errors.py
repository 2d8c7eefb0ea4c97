"""Exceptions of the engine's public API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A broken file can hold hundreds of problems (one bad id copied everywhere); the modeller needs
# the first ones to start fixing, not a response of megabytes.
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    """One problem of a service definition, for the modeller to show on the element it names.

    `file` is the path relative to the service folder as written in service.yaml (a BPMN/DMN file
    of `process`, a form file of `forms`), or "service.yaml"; `element` is the BPMN element id when
    one is concerned; `message` is the human text without the file/element prefix.
    """

    file: str
    element: str | None
    message: str


@dataclass(frozen=True)
class Found:
    """A problem found by a check, before its file is known: `where` is how the full message
    names the element today ("user task 'ut_x'", "sequence flow 'f2'"), `message` the rest."""

    element: str | None
    where: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class EngineError(Exception):
    """Base of every error the engine raises; the caller discards the instance after one."""


class DefinitionError(EngineError):
    """A service definition is broken: `problems` (at least one) name the file and, when known,
    the element; `str()` is the whole human message, file and element included."""

    def __init__(self, message: str, *, problems: tuple[Problem, ...] | list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = (
            tuple(problems) if problems else (Problem(file="", element=None, message=message),))

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only state would be lost by Exception's default pickling (Celery results).
        return (_rebuild_definition_error, (str(self), self.problems))


def _rebuild_definition_error(message: str, problems: tuple[Problem, ...]) -> DefinitionError:
    return DefinitionError(message, problems=problems)


def definition_error(found: list[tuple[str, Found]]) -> DefinitionError:
    """One DefinitionError for (file, problem) pairs in the order found: duplicates dropped, at
    most MAX_PROBLEMS kept, one line per problem in the message."""
    unique = list(dict.fromkeys(found))
    shown = unique[:MAX_PROBLEMS]
    lines = [f"{file}: {item.text}" if file else item.text for file, item in shown]
    if len(unique) > len(shown):
        lines.append(f"... and {len(unique) - len(shown)} more problems")
    return DefinitionError("\n".join(lines), problems=tuple(
        Problem(file=file, element=item.element, message=item.message) for file, item in shown))


class TaskNotReady(EngineError):
    """The task id is unknown, not READY, or not a user task."""


class MessageNotExpected(EngineError):
    """Nothing in the instance is waiting for that message."""


class ExpressionError(EngineError):
    """An expression or script was refused or failed (hostile code, time limit, unknown name)."""


class StepLimitExceeded(EngineError):
    """One advance completed more tasks than the step budget: a runaway loop or timer cycle."""


class EngineStalled(EngineError):
    """The engine stopped with work it could not do (a READY engine task left over, or completion
    reported without an end event): the instance would silently hang, so it is refused."""
