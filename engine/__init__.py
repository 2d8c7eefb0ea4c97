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

Load errors: `load_service` raises one DefinitionError listing every problem our checks find in
the manifest, the form files and all BPMN files (at most MAX_PROBLEMS, 50); SpiffWorkflow parses
only a definition without such problems, and its first error ends the load. `exc.problems` holds
`Problem(file, element, message)`: `file` as written in service.yaml (or "service.yaml" itself),
`element` the BPMN id to show it on (None for a whole file), `message` without that prefix, for the
modeller's 422 `{errors: [{file, element, message}]}`; `str(exc)` is one line per problem, file and
element included.

Trail: `Instance.trail()` gives the BPMN ids of the elements completed (each once, in the order
first completed; a branch not taken never appears) and of those current now (READY user tasks,
armed events and timers, running service calls and call activities, joins with part of their
branches in). Elements of a called fragment are prefixed by the call activity ids leading to them,
`/`-separated (`ca_receipt/st_protocol`); those of an embedded subprocess are not, being drawn in
the same diagram. Internal SpiffWorkflow tasks never appear.
"""

from ._declared import declared_actions
from ._definition import ServiceDefinition, load_service
from ._errors import (
    DefinitionError,
    EngineError,
    EngineStalled,
    ExpressionError,
    MessageNotExpected,
    Problem,
    StepLimitExceeded,
    TaskNotReady,
)
from ._evaluator import evaluate
from ._instance import MAX_STEPS, Instance, restore_instance, start_instance
from ._spec import ProcessSpec, load_process_spec
from ._state import STATE_VERSION
from ._trail import Trail
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
    "Problem",
    "ProcessSpec",
    "ServiceCall",
    "ServiceDefinition",
    "StepLimitExceeded",
    "TaskNotReady",
    "Timer",
    "Trail",
    "UserTask",
    "WaitState",
    "declared_actions",
    "evaluate",
    "load_process_spec",
    "load_service",
    "restore_instance",
    "start_instance",
]
