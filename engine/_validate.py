"""Checks on the BPMN XML that SpiffWorkflow's parser does not make.

The engine supports a whitelist of BPMN elements (SUPPORTED_TAGS); anything else in the BPMN
namespace is refused at load with the element named, so a model from another modeller either runs
as drawn or is refused, never half-run. Flow-level rules (outgoing flows, loops, timers) are in
`_validate_flow`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from ._errors import ExpressionError, Found, definition_error
from ._evaluator import check_expression, parse_script
from ._validate_flow import expression_problems, flow_problems
from ._xmlnames import BPMN_NS, NS, OMG_PREFIX, element_id, element_name, local, properties

OPERATION_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
# A candidate is a role key or `ufficio:<code>`, literally; `=expression` is evaluated on the
# task's data (a multi-instance child sees its own item, so each office gets its own task).
CANDIDATE_RE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_.-]*|ufficio:[A-Za-z0-9_.-]+)$")
CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PYTHON_LANGUAGES = {"", "python", "text/python", "text/x-python", "application/x-python"}

SUPPORTED_TAGS = frozenset({
    # flow nodes
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "sequenceFlow", "conditionExpression",
    # event definitions and their parts
    "messageEventDefinition", "timerEventDefinition", "errorEventDefinition",
    "terminateEventDefinition", "timeDate", "timeDuration", "timeCycle",
    # structure, documentation, diagram-level collaboration
    "definitions", "process", "extensionElements", "incoming", "outgoing", "documentation",
    "textAnnotation", "text", "association", "group", "category", "categoryValue",
    "collaboration", "participant", "messageFlow", "laneSet", "lane", "childLaneSet",
    "flowNodeRef", "message", "error", "itemDefinition", "script",
    # data: objects, associations and the process-level contract of a fragment
    "dataObject", "dataObjectReference", "dataInputAssociation", "dataOutputAssociation",
    "sourceRef", "targetRef", "dataState", "ioSpecification", "dataInput", "dataOutput",
    "inputSet", "outputSet", "dataInputRefs", "dataOutputRefs",
    # loops
    "multiInstanceLoopCharacteristics", "loopCardinality", "loopDataInputRef",
    "loopDataOutputRef", "inputDataItem", "outputDataItem", "completionCondition",
    "standardLoopCharacteristics", "loopCondition",
})
REFUSAL_HINTS = {
    "eventBasedGateway": "wait with a receive task and a boundary timer instead",
    "complexGateway": "use exclusive, inclusive or parallel gateways",
    "transaction": "",
    "adHocSubProcess": "",
    "dataStore": "keep data in the application, pass references in task data",
    "dataStoreReference": "keep data in the application, pass references in task data",
    "signalEventDefinition": "use a message",
    "escalationEventDefinition": "use an error or a message",
    "conditionalEventDefinition": "",
    "compensateEventDefinition": "",
    "cancelEventDefinition": "",
    "linkEventDefinition": "draw the sequence flow",
    "import": "put every file of the service in service.yaml 'process'",
}


def check_document(path: Path, tree: etree._ElementTree, form_refs: set[str],
                   file: str | None = None) -> None:
    """Raise one DefinitionError with every problem of one BPMN file (`file`, default its name)."""
    found = document_problems(tree, form_refs)
    if found:
        raise definition_error([(file or path.name, item) for item in found])


def document_problems(tree: etree._ElementTree, form_refs: set[str]) -> list[Found]:
    """Every problem of one BPMN file, in document order per check (the caller caps them)."""
    return list(_problems(tree, form_refs))


def _problems(tree: etree._ElementTree, form_refs: set[str]) -> Iterator[Found]:
    yield from _duplicate_ids(tree)
    yield from _unsupported(tree)
    root = tree.getroot()
    for el in root.iterfind(f".//{{{BPMN_NS}}}userTask"):
        yield from _user_task(el, form_refs)
    for el in root.iterfind(f".//{{{BPMN_NS}}}scriptTask"):
        yield from _script_task(el)
    for el in root.iterfind(f".//{{{BPMN_NS}}}serviceTask"):
        yield from _service_task(el)
    for el in root.iterfind(f".//{{{BPMN_NS}}}sendTask"):
        yield from _notification(el, required=True)
    for el in root.iterfind(f".//{{{BPMN_NS}}}intermediateThrowEvent"):
        yield from _notification(el, required=False)
    for el in root.xpath("//bpmn:*[bpmn:extensionElements/spiffworkflow:properties]", namespaces=NS):
        yield from _status(el)
    for el in root.xpath("//spiffworkflow:preScript | //spiffworkflow:postScript", namespaces=NS):
        task = el.getparent().getparent()
        yield from _script(el.text or "", element_id(task), element_name(task), f"{local(el)}: ")
    for el in root.iterfind(f".//{{{BPMN_NS}}}conditionExpression"):
        flow = el.getparent()
        where = f"sequence flow {flow.get('id')!r}"
        yield from _language(el, element_id(flow), where, "condition: ")
        yield from expression_problems(el.text or "", element_id(flow), where, "condition")
    for el in root.xpath("//spiffworkflow:messagePayload", namespaces=NS):
        event = el.getparent().getparent()
        yield from expression_problems(el.text or "", element_id(event), element_name(event), "payload")
    yield from flow_problems(root)


def _duplicate_ids(tree: etree._ElementTree) -> Iterator[Found]:
    seen: set[str] = set()
    for el in tree.iter():
        # Only the OMG namespaces (BPMN, DI) declare element ids; vendor extensions such as
        # spiffworkflow:parameter or camunda:inputParameter use `id` for names of their own.
        if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{OMG_PREFIX}"):
            continue
        ident = el.get("id")
        if ident is not None:
            if ident in seen:
                yield Found(ident, "", f"duplicate element id {ident!r}")
            seen.add(ident)


def _unsupported(tree: etree._ElementTree) -> Iterator[Found]:
    for el in tree.getroot().iter(f"{{{BPMN_NS}}}*"):
        tag = local(el)
        if tag in SUPPORTED_TAGS:
            if tag == "subProcess" and el.get("triggeredByEvent") == "true":
                starts = el.xpath("./bpmn:startEvent/bpmn:messageEventDefinition", namespaces=NS)
                kind = "started by a message " if starts else ""
                yield Found(element_id(el), element_name(el), f"event subprocesses {kind}are not supported")
            continue
        hint = REFUSAL_HINTS.get(tag, "")
        yield Found(element_id(el), element_name(el),
                    f"{tag} is not supported" + (f" ({hint})" if hint else ""))


def _script(text: str, element: str | None, where: str, part: str = "") -> Iterator[Found]:
    try:
        for _, expression in parse_script(text):
            check_expression(expression)
    except ExpressionError as exc:
        yield Found(element, where, f"{part}{exc}")


def _language(el: etree._Element, element: str | None, where: str, part: str = "") -> Iterator[Found]:
    language = (el.get("language") or el.get("scriptFormat") or "").strip().lower()
    if language not in PYTHON_LANGUAGES:
        yield Found(element, where, f"{part}expression language {language!r} is not supported")


def _user_task(el: etree._Element, form_refs: set[str]) -> Iterator[Found]:
    props = properties(el)
    ident, where = element_id(el), f"user task {el.get('id')!r}"
    form = props.get("form")
    if not form:
        yield Found(ident, where, "no 'form' property")
    elif form not in form_refs:
        yield Found(ident, where, f"form {form!r} is not listed in service.yaml forms")
    candidate = props.get("candidate")
    if candidate is not None:
        if candidate.startswith("="):
            yield from expression_problems(candidate[1:], ident, where, "candidate")
        elif not CANDIDATE_RE.match(candidate):
            yield Found(ident, where, f"candidate {candidate!r} must be a role key, 'ufficio:<code>' "
                                      "or '=expression'")


def _script_task(el: etree._Element) -> Iterator[Found]:
    ident, where = element_id(el), f"script task {el.get('id')!r}"
    yield from _language(el, ident, where)
    script = el.find(f"{{{BPMN_NS}}}script")
    yield from _script(script.text or "" if script is not None else "", ident, where)


def _service_task(el: etree._Element) -> Iterator[Found]:
    ident, where = element_id(el), f"service task {el.get('id')!r}"
    ops = el.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NS)
    operation = ops[0].get("id", "") if ops else ""
    if not OPERATION_RE.match(operation):
        yield Found(ident, where, f"operation {operation!r} is not of the form 'family.operation'")
        return
    for param in ops[0].xpath(".//spiffworkflow:parameter", namespaces=NS):
        yield from expression_problems(param.get("value", ""), ident, where, f"parameter {param.get('id')!r}")


def _notification(el: etree._Element, required: bool) -> Iterator[Found]:
    props = properties(el)
    ident = element_id(el)
    template = props.get("template")
    if not template:
        if required:
            yield Found(ident, f"send task {el.get('id')!r}", "no 'template' property (a send task needs one)")
        return
    channels = [c.strip() for c in props.get("channels", "email,app_io").split(",")]
    bad = [c for c in channels if not CHANNEL_RE.match(c)]
    if bad:
        yield Found(ident, element_name(el), f"channels {props.get('channels')!r} must be a comma list of names")
    if not CANDIDATE_RE.match(props.get("to", "cittadino")):
        yield Found(ident, element_name(el), f"'to' {props.get('to')!r} must be 'cittadino' or a role key")


def _status(el: etree._Element) -> Iterator[Found]:
    status = properties(el).get("status")
    if status is None:
        return
    try:
        int(status)
    except ValueError:
        yield from expression_problems(status, element_id(el), f"element {el.get('id')!r}", "status property")

