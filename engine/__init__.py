"""BPMN engine for the municipal online services: the only package that imports SpiffWorkflow.

Everything the rest of the project needs is re-exported here; the modules behind it are private.
"""

from ._declared import declared_actions
from ._definition import ServiceDefinition, load_service
from ._errors import (
    DefinitionError,
    EngineError,
    ExpressionError,
    MessageNotExpected,
    TaskNotReady,
)
from ._evaluator import evaluate
from ._instance import Instance, restore_instance, start_instance
from ._spec import ProcessSpec, load_process_spec
from ._state import STATE_VERSION
from ._waits import ServiceCall, Timer, UserTask, WaitState

__all__ = [
    "STATE_VERSION",
    "DefinitionError",
    "EngineError",
    "ExpressionError",
    "Instance",
    "MessageNotExpected",
    "ProcessSpec",
    "ServiceCall",
    "ServiceDefinition",
    "TaskNotReady",
    "Timer",
    "UserTask",
    "WaitState",
    "declared_actions",
    "evaluate",
    "load_process_spec",
    "load_service",
    "restore_instance",
    "start_instance",
]
