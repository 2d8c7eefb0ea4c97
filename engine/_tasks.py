"""SpiffWorkflow customisation: asynchronous service tasks, the parser and the serializer."""

from __future__ import annotations

from copy import deepcopy
from typing import Any, ClassVar
from uuid import UUID

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_BASE = 2.0


class AsyncServiceTask(ServiceTask):
    """Evaluates the parameters, records the call in the task, and leaves the task STARTED.

    A worker performs the call outside the request and completes the task later; the record lives
    in internal_data so it is serialized with the state and survives a crash before enqueueing.
    """

    def declared_result_variable(self) -> str | None:
        # Spiff invents `spiff__<id>_result` when none is declared; we keep such results out of data.
        operator = getattr(self, "extensions", {}).get("serviceTaskOperator", {})
        return operator.get("resultVariable") or None

    def _execute(self, task: Any) -> None:
        task.internal_data["service_call"] = {
            "operation": self.operation_name,
            "params": {name: p["value"] for name, p in self.evaluate_params(task).items()},
            "result_variable": self.declared_result_variable(),
            "retries": DEFAULT_RETRIES if self.retries is None else int(self.retries),
            "retry_backoff_base": (DEFAULT_BACKOFF_BASE if self.retry_backoff_base is None
                                   else float(self.retry_backoff_base)),
        }
        return None  # Task.run(): None leaves the task STARTED


class ServiceParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, AsyncServiceTask),
    }


class StateConverter(BpmnWorkflowConverter):
    """Workflow converter that leaves the specs out: they are stored once per hash elsewhere."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], specs: tuple[Any, dict[str, Any]] | None = None) -> Any:
        if specs is None:
            return super().from_dict(dct)
        workflow = self.target_class(specs[0], specs[1], deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[AsyncServiceTask] = ServiceTaskConverter
    config[BpmnWorkflow] = StateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _make_serializer()
SERIALIZER_VERSION: str = SERIALIZER.VERSION
