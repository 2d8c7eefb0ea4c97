"""BPMN engine for the municipal online services: the only package that imports SpiffWorkflow.

Everything the rest of the project needs is re-exported here; the modules behind it are private.
"""

from ._definition import ServiceDefinition, load_service
from ._errors import (
    DefinitionError,
    EngineError,
    EngineStalled,
    ExpressionError,
    MessageNotExpected,
    StepLimitExceeded,
    TaskNotReady,
)
from ._evaluator import evaluate
from ._instance import MAX_STEPS, Instance, restore_instance, start_instance
from ._spec import ProcessSpec, load_process_spec
from ._state import STATE_VERSION
from ._waits import Notification, ServiceCall, Timer, UserTask, WaitState

__all__ = [
    "MAX_STEPS",
    "STATE_VERSION",
    "DefinitionError",
    "EngineError",
    "EngineStalled",
    "ExpressionError",
    "Instance",
    "MessageNotExpected",
    "Notification",
    "ProcessSpec",
    "ServiceCall",
    "ServiceDefinition",
    "StepLimitExceeded",
    "TaskNotReady",
    "Timer",
    "UserTask",
    "WaitState",
    "evaluate",
    "load_process_spec",
    "load_service",
    "restore_instance",
    "start_instance",
]
