"""BPMN engine for the municipal online services: the only package that imports SpiffWorkflow.

Everything the rest of the project needs is re-exported here; the modules behind it are private.

Supported BPMN (anything else is refused at load, naming the element; `_validate.SUPPORTED_TAGS`):
start/end events (with terminate), user/manual/script/service/send/receive/business-rule tasks,
plain tasks, call activities (shared fragments `sub_<name>`, no call cycles), embedded
subprocesses, exclusive/inclusive/parallel gateways, message catch and throw events, timer
boundary events on user/receive tasks and call activities (cycles bounded: `R1..R10`, period at
least PT1H, non-interrupting only), timer catch events, error boundary events on service tasks and
call activities, multi-instance and standard loops (a loop needs a wait state), lanes, data objects
and a process-level ioSpecification.

Model conventions: `a.b` on a dict reads the key (dict methods `get`/`keys`/`values`/`items` win);
a user task's answers go under `spiffworkflow:variableName`, else its `form`; its `candidate` is a
role key or `ufficio:<code>` taken literally, or `=expression` on the task's data; a send task or
message throw with a `template` property yields a Notification (`to`, `channels`).
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
