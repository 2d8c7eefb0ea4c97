"""Loading a service definition folder: service.yaml + BPMN/DMN files + forms.

Every problem is reported with the file (as written in service.yaml) and the BPMN element it is
about. The checks of our own (forms, every BPMN file, call cycles) all run and are reported
together; SpiffWorkflow parses only a definition that passed them, and its first error ends it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from . import _limits  # noqa: F401  (raises the recursion limit the parser needs)
from ._errors import DefinitionError, Found, Problem, definition_error
from ._spec import ProcessSpec, canonical_json, make_process_spec
from ._tasks import ServiceParser
from ._validate import document_problems
from ._validate_flow import call_cycles, call_graph
from ._xml import read_xml, strip_vendor_extensions
from ._xmlnames import BPMN_NS, NS, SPIFF_NS, element_id

MANIFEST_FILE = "service.yaml"
BROKEN_EVENT_REFERENCE = "broken event reference (message/error/escalation)"
# (file as written in service.yaml, problem): how every check reports, before one DefinitionError.
Located = list[tuple[str, Found]]

REQUIRED_KEYS = ("slug", "version", "title", "process", "process_id", "forms")


@dataclass(frozen=True)
class ServiceDefinition:
    slug: str
    version: int
    title: str
    manifest: dict[str, Any]
    forms: dict[str, dict[str, Any]]
    process: ProcessSpec
    definition_hash: str


def load_service(folder: Path) -> ServiceDefinition:
    """Parse and check a service folder; DefinitionError lists every problem found, each naming
    its file and element."""
    folder = Path(folder)
    manifest = _read_manifest(folder / MANIFEST_FILE)
    found: Located = []
    forms: dict[str, dict[str, Any]] = {}
    for ref, rel in manifest["forms"].items():
        try:
            forms[ref] = _read_form(folder, ref, rel)
        except DefinitionError as exc:
            found += _located(exc)
    process = _build_process(folder, manifest, set(manifest["forms"]), found)
    digest = hashlib.sha256(canonical_json(
        {"process": process.spec_hash, "manifest": manifest, "forms": forms}).encode()).hexdigest()
    return ServiceDefinition(manifest["slug"], manifest["version"], manifest["title"],
                             manifest, forms, process, digest)


def _located(exc: DefinitionError) -> Located:
    return [(p.file, Found(p.element, "", p.message)) for p in exc.problems]


def _manifest_error(path: Path, message: str, problem: str | None = None) -> DefinitionError:
    # The message keeps the full path (CLI users see which folder); the problem names the file.
    return DefinitionError(f"{path}: {message}",
                           problems=(Problem(MANIFEST_FILE, None, problem or message),))


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise _manifest_error(path, "the file is missing") from None
    except yaml.YAMLError as exc:
        raise _manifest_error(path, f"invalid YAML: {exc}") from None
    if not isinstance(manifest, dict):
        raise _manifest_error(path, "service.yaml must be a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise _manifest_error(path, f"missing required keys: {', '.join(missing)}")
    _check_manifest_types(path, manifest)
    try:  # the definition hash is computed over canonical JSON
        json.dumps(manifest)
    except TypeError as exc:
        raise _manifest_error(path, f"values must be JSON-compatible: {exc}") from None
    return manifest


def _check_manifest_types(path: Path, m: dict[str, Any]) -> None:
    def fail(msg: str) -> None:
        raise _manifest_error(path, msg)

    for key in ("slug", "title", "process_id"):
        if not isinstance(m[key], str) or not m[key]:
            fail(f"'{key}' must be a non-empty string")
    if isinstance(m["version"], bool) or not isinstance(m["version"], int) or m["version"] < 1:
        fail("'version' must be an integer >= 1")
    if not isinstance(m["process"], list) or not m["process"] or not all(
            isinstance(p, str) and p.endswith((".bpmn", ".dmn")) for p in m["process"]):
        fail("'process' must be a non-empty list of .bpmn/.dmn file paths")
    if not isinstance(m["forms"], dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in m["forms"].items()):
        fail("'forms' must map form refs to file paths")


def _read_form(folder: Path, ref: str, rel: str) -> dict[str, Any]:
    def fail(message: str) -> DefinitionError:
        return DefinitionError(f"form {ref!r}: file {rel} {message}",
                               problems=(Problem(rel, None, f"form {ref!r}: the file {message}"),))

    path = folder / rel
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise fail("is missing") from None
    except ValueError as exc:
        raise fail(f"is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise fail("must contain a JSON object")
    return doc


@dataclass
class _Document:
    rel: str  # as written in service.yaml
    path: Path
    tree: Any


def _build_process(folder: Path, manifest: dict[str, Any], form_refs: set[str],
                   found: Located) -> ProcessSpec:
    documents = _check_documents(folder, manifest["process"], form_refs, found)
    if found:  # SpiffWorkflow's errors would only repeat ours, less clearly, one at a time
        raise definition_error(found)
    try:
        return _parse_process(manifest, documents)
    except DefinitionError:
        raise
    except Exception as exc:  # never let a library failure escape as another type
        element = getattr(exc, "id", None) or getattr(getattr(exc, "task_spec", None), "bpmn_id", None)
        file = _file_of(exc, documents)
        raise definition_error([(file, Found(element or None, f"element {element!r}" if element else "",
                                             f"cannot load the process: {type(exc).__name__}: {exc}"))]
                               ) from None


def _check_documents(folder: Path, files: list[str], form_refs: set[str],
                     found: Located) -> list[_Document]:
    """Read every file and run our checks on each BPMN one, appending to `found`."""
    documents: list[_Document] = []
    graph: dict[str, list[tuple[str, str]]] = {}
    file_of_process: dict[str, str] = {}
    for rel in files:
        path = (folder / rel).resolve()
        try:
            tree = read_xml(path, rel)  # once, hardened; the same tree goes to SpiffWorkflow
        except DefinitionError as exc:
            found += _located(exc)
            continue
        if path.suffix == ".bpmn":  # our checks first: clearer than the XSD's on duplicate ids
            found += [(rel, item) for item in document_problems(tree, form_refs)]
            calls = call_graph(tree.getroot())
            graph.update(calls)
            file_of_process.update(dict.fromkeys(calls, rel))
            strip_vendor_extensions(tree, frozenset({SPIFF_NS}))
        documents.append(_Document(rel, path, tree))
    found += [(file_of_process[process], item) for process, item in call_cycles(graph)]
    return documents


def _parse_process(manifest: dict[str, Any], documents: list[_Document]) -> ProcessSpec:
    parser = ServiceParser(validator=VALIDATOR)
    for document in documents:
        _add_tree(parser, document)
    missing = ((parser.get_process_dependencies() - set(parser.get_process_ids()))
               | (parser.get_dmn_dependencies() - set(parser.dmn_parsers)))
    if missing:
        raise definition_error(_unresolved(missing, documents))
    process_id = manifest["process_id"]
    if process_id not in parser.get_process_ids():
        raise _bad_process_id(process_id, manifest["process"], parser.get_process_ids(), documents)
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise definition_error([_describe(exc, documents)]) from None
    return make_process_spec(spec, subprocess_specs)


def _unresolved(missing: set[str], documents: list[_Document]) -> Located:
    """One problem per element referring to a missing process or decision."""
    found: Located = []
    for name in sorted(missing):
        refs = [(d.rel, el) for d in documents if d.path.suffix == ".bpmn"
                for el in d.tree.getroot().xpath(
                    "//bpmn:callActivity[@calledElement=$name]"
                    " | //bpmn:businessRuleTask[normalize-space(.//spiffworkflow:calledDecisionId)=$name]",
                    namespaces=NS, name=name)]
        message = f"unresolved reference {name!r}: no file of the service defines it"
        if not refs:  # not reachable through our XPath: still name the process files
            found.append((documents[0].rel if documents else MANIFEST_FILE, Found(None, "", message)))
        for rel, el in refs:
            kind = "call activity" if el.tag == f"{{{BPMN_NS}}}callActivity" else "business rule task"
            found.append((rel, Found(element_id(el), f"{kind} {el.get('id')!r}", message)))
    return found


def _bad_process_id(process_id: str, files: list[str], executable: list[str],
                    documents: list[_Document]) -> DefinitionError:
    message = (f"process_id {process_id!r} is not an executable process in {files} "
               f"(found: {executable})")
    for d in documents:  # drawn but not executable: show it on the process itself
        if d.tree.getroot().xpath("//bpmn:process[@id=$pid]", namespaces=NS, pid=process_id):
            return definition_error([(d.rel, Found(process_id, "", message))])
    return DefinitionError(message, problems=(Problem(MANIFEST_FILE, None, message),))


def _add_tree(parser: ServiceParser, document: _Document) -> None:
    tree = document.tree
    try:
        if document.path.suffix == ".dmn":
            parser.add_dmn_xml(tree.getroot(), filename=str(document.path))
        else:
            parser.add_bpmn_xml(tree, filename=str(document.path))
    except ValidationException as exc:
        raise definition_error([_describe(exc, [document])]) from None
    except TypeError as exc:  # SpiffWorkflow 3.2.0 masks bad event refs as a TypeError (notes §2)
        element = _event_of(exc)
        raise definition_error([(document.rel, Found(
            element, f"element {element!r}" if element else "",
            BROKEN_EVENT_REFERENCE))]) from None


def _event_of(exc: BaseException) -> str | None:
    """The element whose parser raised: the deepest frame of a node parser (`self.node`)."""
    element = None
    tb = exc.__traceback__
    while tb is not None:
        node = getattr(tb.tb_frame.f_locals.get("self"), "node", None)
        if node is not None and hasattr(node, "get"):
            element = node.get("id") or element
        tb = tb.tb_next
    return element


def _file_of(exc: BaseException, documents: list[_Document]) -> str:
    """The service.yaml name of the file a SpiffWorkflow error is about (else the first file)."""
    by_path = {str(d.path): d.rel for d in documents}
    name = getattr(exc, "file_name", "") or ""
    if not name:
        wf_spec = getattr(getattr(exc, "task_spec", None), "_wf_spec", None)
        name = getattr(wf_spec, "file", "") or ""
    if name in by_path:
        return by_path[name]
    for d in documents:
        if name and Path(name).name == d.path.name:
            return d.rel
    return documents[0].rel if documents else MANIFEST_FILE


def _describe(exc: ValidationException, documents: list[_Document]) -> tuple[str, Found]:
    file = _file_of(exc, documents)
    element = getattr(exc, "id", None) or None
    if element is None:  # the XSD names a line only: show it on the element drawn there
        element = _element_at_line(documents, file, getattr(exc, "line_number", None))
    return file, Found(element, f"element {element!r}" if element else "", _legible(exc))


def _legible(exc: ValidationException) -> str:
    text = str(exc).splitlines()[0].strip() if str(exc) else type(exc).__name__
    if "unexpected keyword argument 'node'" in text:  # SpiffWorkflow 3.2.0 bug (notes §2)
        return BROKEN_EVENT_REFERENCE
    # libxml2 writes qualified names in Clark notation and ends with its own full stop.
    text = text.replace(f"{{{BPMN_NS}}}", "bpmn:").replace(f"{{{SPIFF_NS}}}", "spiffworkflow:")
    return text[:-1] if text.endswith("..") else text


def _element_at_line(documents: list[_Document], file: str, line: Any) -> str | None:
    if not isinstance(line, int) or line <= 0:
        return None
    for d in documents:
        if d.rel == file:
            for el in d.tree.getroot().iter():
                if isinstance(el.tag, str) and el.sourceline == line:
                    return element_id(el)
    return None
