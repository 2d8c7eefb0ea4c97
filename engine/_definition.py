"""Loading a service definition folder: service.yaml + BPMN/DMN files + forms."""

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
from ._errors import DefinitionError
from ._spec import ProcessSpec, canonical_json, make_process_spec
from ._tasks import ServiceParser
from ._validate import check_document
from ._validate_flow import call_cycle, call_graph
from ._xml import read_xml, strip_vendor_extensions
from ._xmlnames import SPIFF_NS

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
    """Parse and check a service folder; raises DefinitionError naming the file and element."""
    folder = Path(folder)
    manifest = _read_manifest(folder / "service.yaml")
    forms = {ref: _read_form(folder, ref, rel) for ref, rel in manifest["forms"].items()}
    process = _build_process(folder, manifest, set(forms))
    digest = hashlib.sha256(canonical_json(
        {"process": process.spec_hash, "manifest": manifest, "forms": forms}).encode()).hexdigest()
    return ServiceDefinition(manifest["slug"], manifest["version"], manifest["title"],
                             manifest, forms, process, digest)


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise DefinitionError(f"{path}: service.yaml is missing") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(manifest, dict):
        raise DefinitionError(f"{path}: service.yaml must be a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise DefinitionError(f"{path}: missing required keys: {', '.join(missing)}")
    _check_manifest_types(path, manifest)
    try:  # the definition hash is computed over canonical JSON
        json.dumps(manifest)
    except TypeError as exc:
        raise DefinitionError(f"{path}: values must be JSON-compatible: {exc}") from None
    return manifest


def _check_manifest_types(path: Path, m: dict[str, Any]) -> None:
    def fail(msg: str) -> None:
        raise DefinitionError(f"{path}: {msg}")

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
    path = folder / rel
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise DefinitionError(f"form {ref!r}: file {rel} is missing") from None
    except ValueError as exc:
        raise DefinitionError(f"form {ref!r}: file {rel} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise DefinitionError(f"form {ref!r}: file {rel} must contain a JSON object")
    return doc


def _build_process(folder: Path, manifest: dict[str, Any], form_refs: set[str]) -> ProcessSpec:
    try:
        return _parse_process(folder, manifest, form_refs)
    except DefinitionError:
        raise
    except Exception as exc:  # never let a library failure escape as another type
        element = getattr(exc, "id", None) or getattr(getattr(exc, "task_spec", None), "bpmn_id", None)
        where = f" (element {element!r})" if element else ""
        raise DefinitionError(f"{manifest['process']}{where}: cannot load the process: "
                              f"{type(exc).__name__}: {exc}") from None


def _parse_process(folder: Path, manifest: dict[str, Any], form_refs: set[str]) -> ProcessSpec:
    parser = ServiceParser(validator=VALIDATOR)
    graph: dict[str, list[tuple[str, str]]] = {}
    for rel in manifest["process"]:
        path = (folder / rel).resolve()
        tree = read_xml(path)  # once, hardened; the same tree goes to SpiffWorkflow
        if path.suffix == ".bpmn":  # our checks first: clearer than the XSD's on duplicate ids
            check_document(path, tree, form_refs)
            graph.update(call_graph(tree.getroot()))
            strip_vendor_extensions(tree, frozenset({SPIFF_NS}))
        _add_tree(parser, path, tree)
    cycle = call_cycle(graph)
    if cycle:
        raise DefinitionError(cycle)
    missing = ((parser.get_process_dependencies() - set(parser.get_process_ids()))
               | (parser.get_dmn_dependencies() - set(parser.dmn_parsers)))
    if missing:
        raise DefinitionError(f"unresolved call-activity/decision references: {sorted(missing)}")
    process_id = manifest["process_id"]
    if process_id not in parser.get_process_ids():
        raise DefinitionError(f"process_id {process_id!r} is not an executable process in "
                              f"{manifest['process']} (found: {parser.get_process_ids()})")
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DefinitionError(_describe(exc)) from None
    return make_process_spec(spec, subprocess_specs)


def _add_tree(parser: ServiceParser, path: Path, tree: Any) -> None:
    try:
        if path.suffix == ".dmn":
            parser.add_dmn_xml(tree.getroot(), filename=str(path))
        else:
            parser.add_bpmn_xml(tree, filename=str(path))
    except ValidationException as exc:
        raise DefinitionError(_describe(exc, path)) from None
    except TypeError:  # SpiffWorkflow 3.2.0 masks bad event refs as a TypeError (notes §2)
        raise DefinitionError(f"{path.name}: broken event reference (message/error/escalation)") from None


def _describe(exc: ValidationException, path: Path | None = None) -> str:
    file_name = Path(getattr(exc, "file_name", "") or (path or "")).name
    where = f" (element {exc.id!r})" if getattr(exc, "id", None) else ""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{file_name}{where}: {first}"
