"""Exceptions of the engine's public API."""


class EngineError(Exception):
    """Base of every error the engine raises; the caller discards the instance after one."""


class DefinitionError(EngineError):
    """A service definition is broken: the message names the file and, when known, the element."""


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
