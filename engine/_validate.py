"""Checks on the BPMN XML that SpiffWorkflow's parser does not make."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from ._errors import DefinitionError, ExpressionError
from ._evaluator import check_expression, parse_script

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
UNSUPPORTED = ("sendTask", "complexGateway", "transaction")
OPERATION_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def parse_xml(path: Path) -> etree._ElementTree:
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except OSError as exc:
        raise DefinitionError(f"{path.name}: cannot read file: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"{path.name}: not well-formed XML: {exc}") from None


def properties(element: etree._Element) -> dict[str, str]:
    props = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
                          namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in props}


def check_document(path: Path, tree: etree._ElementTree, form_refs: set[str]) -> None:
    """Raise DefinitionError for the first problem found in one BPMN file."""
    for problem in _problems(tree, form_refs):
        raise DefinitionError(f"{path.name}: {problem}")


def _problems(tree: etree._ElementTree, form_refs: set[str]) -> Iterator[str]:
    yield from _duplicate_ids(tree)
    for tag in UNSUPPORTED:
        for el in tree.iterfind(f".//{{{BPMN_NS}}}{tag}"):
            yield f"element {el.get('id')!r}: {tag} is not supported"
    for el in tree.iterfind(f".//{{{BPMN_NS}}}userTask"):
        yield from _user_task(el, form_refs)
    for el in tree.iterfind(f".//{{{BPMN_NS}}}scriptTask"):
        yield from _script_task(el)
    for el in tree.iterfind(f".//{{{BPMN_NS}}}serviceTask"):
        yield from _service_task(el)
    for el in tree.xpath("//bpmn:*[bpmn:extensionElements/spiffworkflow:properties]", namespaces=NS):
        yield from _status(el)
    for el in tree.iterfind(f".//{{{BPMN_NS}}}conditionExpression"):
        flow = el.getparent().get("id")
        yield from _expression(el.text or "", f"sequence flow {flow!r}: condition")


def _duplicate_ids(tree: etree._ElementTree) -> Iterator[str]:
    seen: set[str] = set()
    for el in tree.iter():
        # spiffworkflow:* elements use `id` for operation and parameter names, not element ids
        if not isinstance(el.tag, str) or el.tag.startswith(f"{{{SPIFF_NS}}}"):
            continue
        ident = el.get("id")
        if ident is not None:
            if ident in seen:
                yield f"duplicate element id {ident!r}"
            seen.add(ident)


def _expression(text: str, where: str) -> Iterator[str]:
    try:
        check_expression(text)
    except ExpressionError as exc:
        yield f"{where}: {exc}"


def _user_task(el: etree._Element, form_refs: set[str]) -> Iterator[str]:
    form = properties(el).get("form")
    if not form:
        yield f"user task {el.get('id')!r} has no 'form' property"
    elif form not in form_refs:
        yield f"user task {el.get('id')!r}: form {form!r} is not listed in service.yaml forms"


def _script_task(el: etree._Element) -> Iterator[str]:
    script = el.find(f"{{{BPMN_NS}}}script")
    try:
        for _, expression in parse_script(script.text or "" if script is not None else ""):
            check_expression(expression)
    except ExpressionError as exc:
        yield f"script task {el.get('id')!r}: {exc}"


def _service_task(el: etree._Element) -> Iterator[str]:
    ops = el.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NS)
    operation = ops[0].get("id", "") if ops else ""
    if not OPERATION_RE.match(operation):
        yield f"service task {el.get('id')!r}: operation {operation!r} is not of the form 'family.operation'"
        return
    for param in ops[0].xpath(".//spiffworkflow:parameter", namespaces=NS):
        where = f"service task {el.get('id')!r}: parameter {param.get('id')!r}"
        yield from _expression(param.get("value", ""), where)


def _status(el: etree._Element) -> Iterator[str]:
    status = properties(el).get("status")
    if status is None:
        return
    try:
        int(status)
    except ValueError:
        yield from _expression(status, f"element {el.get('id')!r}: status property")
