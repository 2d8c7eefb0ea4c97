"""Flow-level checks: outgoing flows, loops without a wait state, timers, loop characteristics,
boundary events and the call graph between processes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from lxml import etree  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as Ted

from ._errors import ExpressionError, Found
from ._evaluator import check_expression
from ._limits import MAX_FLOW_NODES
from ._xmlnames import BPMN_NS, NS, element_id, element_name, local

MAX_CYCLE_REPETITIONS = 10
MIN_CYCLE_PERIOD = timedelta(hours=1)
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                    "boundaryEvent"})
# Where the engine stops and hands over; a loop must pass through one of these.
WAIT_TAGS = frozenset({"userTask", "manualTask", "receiveTask", "serviceTask", "callActivity",
                       "intermediateCatchEvent"})
TIMER_TARGETS = frozenset({"userTask", "manualTask", "receiveTask", "callActivity", "subProcess"})
ERROR_TARGETS = frozenset({"serviceTask", "callActivity"})
_CYCLE_RE = re.compile(r"^R(\d*)/(?:([^/]+)/)?(P[^/]+)$")


def expression_problems(text: str, element: str | None, where: str, what: str) -> Iterator[Found]:
    """The evaluator's load-time verdict on one expression (`what` of the element), as a refusal."""
    try:
        check_expression(text)
    except ExpressionError as exc:
        yield Found(element, where, f"{what}: {exc}")


def flow_problems(root: etree._Element) -> Iterator[Found]:
    nodes = root.xpath("//bpmn:process//bpmn:*[bpmn:incoming or bpmn:outgoing]", namespaces=NS)
    if len(nodes) > MAX_FLOW_NODES:
        yield Found(None, "", f"more than {MAX_FLOW_NODES} flow elements in one file; split it into fragments")
        return
    containers = root.xpath("//bpmn:process | //bpmn:subProcess", namespaces=NS)
    for container in containers:
        yield from _outgoing(container)
        yield from _loops_without_wait(container)
    for el in root.iterfind(f".//{{{BPMN_NS}}}timerEventDefinition"):
        yield from _timer(el)
    for el in root.iterfind(f".//{{{BPMN_NS}}}boundaryEvent"):
        yield from _boundary(root, el)
    for el in root.iterfind(f".//{{{BPMN_NS}}}ioSpecification"):
        if local(el.getparent()) != "process":
            yield Found(element_id(el.getparent()), element_name(el.getparent()),
                        "a task-level ioSpecification drops the other task data; put the contract "
                        "on the called process instead")
    for el in root.iterfind(f".//{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        yield from _multi_instance(el)
    for el in root.iterfind(f".//{{{BPMN_NS}}}standardLoopCharacteristics"):
        yield from _standard_loop(el)


def _flow_nodes(container: etree._Element) -> dict[str, etree._Element]:
    return {el.get("id"): el for el in container if isinstance(el.tag, str)
            and el.tag.startswith(f"{{{BPMN_NS}}}") and el.get("id")
            and local(el) not in ("sequenceFlow", "laneSet", "ioSpecification", "dataObject",
                                  "dataObjectReference", "textAnnotation", "association",
                                  "extensionElements", "documentation", "group")}


def _flows(container: etree._Element) -> list[tuple[str, str]]:
    return [(f.get("sourceRef"), f.get("targetRef"))
            for f in container.iterfind(f"{{{BPMN_NS}}}sequenceFlow")]


def _outgoing(container: etree._Element) -> Iterator[Found]:
    counts: dict[str, int] = {}
    for source, _ in _flows(container):
        counts[source] = counts.get(source, 0) + 1
    for ident, el in _flow_nodes(container).items():
        tag = local(el)
        if counts.get(ident, 0) > 1 and tag not in GATEWAYS:
            kind = "an event" if tag in EVENTS else "a task"
            yield Found(ident, f"element {ident!r}",
                        f"{kind} can have only one outgoing flow; split with a gateway")


def _is_wait(el: etree._Element) -> bool:
    tag = local(el)
    if tag in WAIT_TAGS:
        return True
    if tag == "subProcess":
        return any(local(d) in WAIT_TAGS for d in el.iter(f"{{{BPMN_NS}}}*"))
    return False


def _loops_without_wait(container: etree._Element) -> Iterator[Found]:
    """A cycle of sequence flows through no wait state runs until the step budget stops it."""
    nodes = _flow_nodes(container)
    # Document order, so the message names the same cycle on every run.
    edges: dict[str, list[str]] = {i: [] for i, el in nodes.items() if not _is_wait(el)}
    for source, target in _flows(container):
        if source in edges and target in edges:
            edges[source].append(target)
    for cycle in _cycles(edges):
        path = " -> ".join([*cycle, cycle[0]])
        yield Found(cycle[0], f"element {cycle[0]!r}", f"a loop without a wait state ({path}) would never stop")
        return


def _cycles(edges: dict[str, list[str]]) -> Iterator[list[str]]:
    """Some cycles of a directed graph (iterative DFS, so a long chain cannot overflow the stack)."""
    colour: dict[str, int] = {}
    for start in edges:
        if colour.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
        path = [start]
        colour[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[node] = 2
            elif colour.get(child) == 1:
                yield path[path.index(child):]
            elif not colour.get(child):
                colour[child] = 1
                path.append(child)
                stack.append((child, iter(edges.get(child, []))))


def _literal(text: str) -> str | None:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _duration(text: str) -> timedelta | None:
    try:
        parsed = Ted.parse_iso_duration(text)
        if "weeks" in parsed:
            parsed["days"] = parsed.pop("weeks") * 7
        return Ted.get_timedelta_from_start(parsed, datetime(2001, 2, 1))  # shortest months
    except Exception:  # Spiff raises a bare Exception on a bad duration
        return None


def _timer(definition: etree._Element) -> Iterator[Found]:
    event = definition.getparent()
    ident, where = element_id(event), element_name(event)
    for part in definition:
        if not isinstance(part.tag, str) or local(part) not in ("timeDate", "timeDuration", "timeCycle"):
            continue
        text = part.text or ""
        problems = list(expression_problems(text, ident, where, "timer"))
        yield from problems
        if not problems and local(part) == "timeCycle":
            yield from _cycle(event, text)


def _cycle(event: etree._Element, text: str) -> Iterator[Found]:
    def found(message: str) -> Found:
        return Found(element_id(event), element_name(event), message)

    if local(event) == "boundaryEvent" and event.get("cancelActivity", "true") != "false":
        yield found("a timer cycle on an interrupting boundary event interrupts only at its "
                    "last repetition; use a timeDuration or a non-interrupting boundary")
        return
    value = _literal(text)
    if value is None:
        yield found("a timer cycle must be a quoted literal such as \"R3/PT24H\"")
        return
    match = _CYCLE_RE.match(value.strip().upper())
    if match is None:
        yield found(f"timer cycle {value!r} is not of the form R<n>/[<start>/]<period>")
        return
    count, start, period = match.groups()
    if not count or not 1 <= int(count) <= MAX_CYCLE_REPETITIONS:
        yield found(f"timer cycle {value!r} must repeat between 1 and "
                    f"{MAX_CYCLE_REPETITIONS} times (R1..R{MAX_CYCLE_REPETITIONS})")
    delta = _duration(period)
    if delta is None or delta < MIN_CYCLE_PERIOD:
        yield found(f"timer cycle {value!r} needs a period of at least PT1H")
    if start is not None:
        try:
            stamp = datetime.fromisoformat(start)
        except ValueError:
            stamp = None
        if stamp is None or stamp.tzinfo is None:
            yield found(f"timer cycle start {start!r} must be a date-time with an offset")


def _boundary(root: etree._Element, event: etree._Element) -> Iterator[Found]:
    ident, where = element_id(event), element_name(event)
    attached = event.get("attachedToRef")
    targets = root.xpath("//bpmn:*[@id=$ident]", namespaces=NS, ident=attached or "")
    if not targets:
        yield Found(ident, where, f"attachedToRef {attached!r} names no element")
        return
    tag = local(targets[0])
    kinds = [local(d) for d in event if isinstance(d.tag, str) and local(d).endswith("EventDefinition")]
    if "timerEventDefinition" in kinds and tag not in TIMER_TARGETS:
        yield Found(ident, where, f"timer boundary events go on user, receive or call activities, not on a {tag}")
    if "errorEventDefinition" in kinds and tag not in ERROR_TARGETS:
        yield Found(ident, where, f"error boundary events go on service tasks or call activities, not on a {tag}")


def _multi_instance(mi: etree._Element) -> Iterator[Found]:
    ident, where = element_id(mi.getparent()), element_name(mi.getparent())
    for part in ("loopCardinality", "completionCondition"):
        el = mi.find(f"{{{BPMN_NS}}}{part}")
        if el is not None:
            yield from expression_problems(el.text or "", ident, where, part)
    if mi.find(f"{{{BPMN_NS}}}loopCardinality") is not None and \
            mi.find(f"{{{BPMN_NS}}}loopDataOutputRef") is not None:
        # SpiffWorkflow 3.2.0 fails (NameError 'data_ouput') when the output already exists.
        yield Found(ident, where, "loopCardinality with loopDataOutputRef is not supported; iterate "
                                  "over a collection (loopDataInputRef) instead")


def _standard_loop(loop: etree._Element) -> Iterator[Found]:
    task = loop.getparent()
    ident, where = element_id(task), element_name(task)
    if not _is_wait(task):
        yield Found(ident, where, f"a standard loop on a {local(task)} has no wait state and "
                                  "would run without stopping; loop over a user, receive or service task")
    condition = loop.find(f"{{{BPMN_NS}}}loopCondition")
    if condition is not None:
        yield from expression_problems(condition.text or "", ident, where, "loopCondition")


def call_graph(root: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """process id -> [(call activity id, called process id)] for one document."""
    graph: dict[str, list[tuple[str, str]]] = {}
    for process in root.iterfind(f".//{{{BPMN_NS}}}process"):
        calls = graph.setdefault(process.get("id") or "", [])
        for ca in process.iterfind(f".//{{{BPMN_NS}}}callActivity"):
            calls.append((ca.get("id") or "", ca.get("calledElement") or ""))
    return graph


def call_cycles(graph: dict[str, list[tuple[str, str]]]) -> list[tuple[str, Found]]:
    """(process id, problem) for each call cycle found (A -> B -> A, or A -> A), shown on the
    call activity of the cycle's first process that starts it."""
    edges = {p: [called for _, called in calls] for p, calls in graph.items()}
    found = []
    for cycle in _cycles(edges):
        first, following = cycle[0], cycle[1] if len(cycle) > 1 else cycle[0]
        activity = next(ca for ca, called in graph[first] if called == following)
        path = " -> ".join([*cycle, cycle[0]])
        found.append((first, Found(activity, f"call activity {activity!r} in process {first!r}",
                                   f"call cycle {path}")))
    return found
