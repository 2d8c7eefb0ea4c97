"""The render model of a form step: fields with widget, value, error and help, from the JSON schema.

Also the reverse: posted HTML form values turned back into JSON data of the right types.
One validator (the form's jsonschema) decides validity; nothing here judges a value.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from forms._definition import Form
from forms._errors import FieldError
from forms._profile import declared_kind

AUTOCOMPLETE = {"nome": "given-name", "cognome": "family-name", "email": "email", "telefono": "tel",
                "indirizzo": "street-address", "cap": "postal-code"}
# The same hints for the fields that declare what they hold (forms._profile), whatever their name.
KIND_AUTOCOMPLETE = {"name": "given-name", "family_name": "family-name", "email": "email", "phone": "tel",
                     "residence.address": "street-address", "residence.postal_code": "postal-code",
                     "residence.city": "address-level2", "residence.province": "address-level1"}
REMOVE_FILE = "rimuovi"  # the file widget's checkbox (citizen/_fields.html): its value names the field to empty
CONTROL_FIELDS = frozenset({"csrf_token", "action", "version", REMOVE_FILE})
_FORMAT_WIDGETS = {"email": "email", "phone": "tel", "date": "date", "attachment": "file"}



@dataclass(frozen=True)
class Upload:
    """A file as it arrived (a form's file input, an API's base64 attachment), not yet checked or stored."""

    name: str
    content: bytes
    declared_type: str | None = None


class FormValues(Protocol):
    """The posted fields of an HTML form (werkzeug's MultiDict)."""

    def get(self, key: str) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...
    def keys(self) -> Any: ...


class PostedFile(Protocol):
    """One posted file (werkzeug's FileStorage)."""

    filename: str | None
    mimetype: str

    def read(self) -> bytes: ...


class PostedFiles(Protocol):
    """The posted files by field name; each is a PostedFile (werkzeug's FileStorage reads through its stream,
    which a type checker cannot see, so the value is typed loosely)."""

    def get(self, key: str) -> Any: ...
    def keys(self) -> Any: ...


@dataclass
class FieldView:
    """One field as the template draws it; `children` for a group (object) of fields."""

    name: str  # the HTML name, dotted for nested fields
    label: str
    widget: str
    required: bool = False
    value: Any = None
    error: str | None = None
    help: str | None = None
    options: list[str] = field(default_factory=list)
    children: list[FieldView] = field(default_factory=list)
    autocomplete: str | None = None
    held_since: Any = None  # when the ente's copy of the value shown was given (pre-filled, "once only")

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


def widget_of(form: Form, dotted: str, schema: dict[str, Any]) -> str:
    declared = form.widgets.get(dotted)
    if declared:
        return declared
    kind = schema.get("type")
    if kind == "object":
        return "group"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return "number"
    if kind == "array":
        items = schema.get("items") or {}
        return "file" if items.get("format") == "attachment" else "checkboxes"
    if "enum" in schema:
        return "radio" if len(schema["enum"]) <= 3 else "select"
    if schema.get("format") in _FORMAT_WIDGETS:
        return _FORMAT_WIDGETS[schema["format"]]
    return "textarea" if schema.get("maxLength", 0) > 500 else "text"


def conditional_fields(schema: dict[str, Any]) -> set[str]:
    """Top-level fields that only apply under a condition (if/then/else, dependentSchemas)."""
    def mentions(branch: Any) -> set[str]:
        if not isinstance(branch, dict):
            return set()
        names = set(branch.get("required", [])) | set(branch.get("properties", {}))
        for item in branch.get("allOf", []):
            names |= mentions(item)
        return names

    found: set[str] = set()
    blocks = [schema, *[item for item in schema.get("allOf", []) if isinstance(item, dict)]]
    for block in blocks:
        if "if" in block:
            found |= mentions(block.get("then")) | mentions(block.get("else"))
    for branch in (schema.get("dependentSchemas") or {}).values():
        found |= mentions(branch)
    return found & set(schema.get("properties", {}))


def required_fields(form: Form, active: set[str]) -> set[str]:
    """Top-level names required now: the root's, plus those of conditional branches that apply."""
    schema = form.schema
    names = set(schema.get("required", []))
    conditional = conditional_fields(schema)
    blocks = [schema, *[item for item in schema.get("allOf", []) if isinstance(item, dict)]]
    for block in blocks:
        for key in ("then", "else"):
            branch = block.get(key)
            if isinstance(branch, dict):
                names |= {n for n in branch.get("required", []) if n in active and n in conditional}
    return names


def build_fields(form: Form, names: list[str], data: dict[str, Any], errors: dict[str, str],
                 required: set[str], prefix: str = "", schema: dict[str, Any] | None = None) -> list[FieldView]:
    """FieldViews for `names` of `schema` (the form's root by default), values from data."""
    props = (schema or form.schema).get("properties", {})
    views = []
    for name in names:
        prop = props.get(name, {})
        dotted = f"{prefix}{name}"
        view = FieldView(
            name=dotted, label=str(prop.get("title", name)), widget=widget_of(form, dotted, prop),
            required=name in required, value=data.get(name), help=form.help.get(dotted),
            error=errors.get("/" + dotted.replace(".", "/")), autocomplete=_autocomplete(name, prop, prefix),
            options=[str(o) for o in prop.get("enum", (prop.get("items") or {}).get("enum", []))],
        )
        if view.widget == "group":
            raw = data.get(name)
            child_data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            view.children = build_fields(form, list(prop.get("properties", {})), child_data, errors,
                                         set(prop.get("required", [])) if view.required else set(),
                                         prefix=dotted + ".", schema=prop)
        views.append(view)
    return views


def _autocomplete(name: str, prop: dict[str, Any], prefix: str) -> str | None:
    if prefix:  # a group's fields are someone else's (a delegating person, a pupil)
        return AUTOCOMPLETE.get(name)
    kind = declared_kind(name, prop)
    return KIND_AUTOCOMPLETE.get(kind or "") or AUTOCOMPLETE.get(name)


def dotted_names(form: Form, names: tuple[str, ...] | list[str]) -> set[str]:
    """Every HTML name the fields of a step may post (nested groups included)."""
    props = form.schema.get("properties", {})
    found: set[str] = set()
    for name in names:
        found.add(name)
        for child in (props.get(name, {}).get("properties") or {}):
            found.add(f"{name}.{child}")
    return found


def _number(raw: str, integer: bool) -> Any:
    text = raw.strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return raw  # left as typed: the schema's "type" check explains what is expected
    if not math.isfinite(number):  # "nan", "inf": words, not numbers
        return raw
    if integer:
        return int(number) if number.is_integer() else number
    return int(number) if number.is_integer() and "." not in text else number


def parse_value(prop: dict[str, Any], name: str, formdata: FormValues) -> Any:
    """One posted field as JSON; None means "not given" (the key is left out)."""
    kind = prop.get("type")
    if kind == "boolean":
        checked = formdata.get(name) in ("true", "on", "1")
        return True if checked else (None if prop.get("const") is True else False)
    if kind == "array":
        values = [v for v in formdata.getlist(name) if v.strip()]
        return values or None
    if kind == "object":
        child = {sub: parse_value(p, f"{name}.{sub}", formdata) for sub, p in prop.get("properties", {}).items()}
        child = {k: v for k, v in child.items() if v is not None}
        return child or None
    raw = formdata.get(name)
    if raw is None or not str(raw).strip():
        return None
    if kind in ("number", "integer"):
        return _number(str(raw), kind == "integer")
    return str(raw).strip()


def attachment_names(form: Form, names: tuple[str, ...] | list[str]) -> list[str]:
    props = form.schema.get("properties", {})
    return [n for n in names if props.get(n, {}).get("format") == "attachment"]


@dataclass
class Posted:
    """A step's posted values: data, new uploads by field, names the step does not have, and the
    file fields whose file the citizen removed. A file field's value, when no new file comes, is the
    id of the file uploaded before (a hidden input next to the file input keeps it)."""

    values: dict[str, Any]
    uploads: dict[str, Upload]
    unknown: list[str]
    removed: set[str] = field(default_factory=set)


def parse_step(form: Form, names: tuple[str, ...], formdata: FormValues, files: PostedFiles) -> Posted:
    props = form.schema.get("properties", {})
    allowed = dotted_names(form, names)
    unknown = sorted({k for k in [*formdata.keys(), *files.keys()]} - allowed - CONTROL_FIELDS)
    file_fields = set(attachment_names(form, names))
    removed = set(formdata.getlist(REMOVE_FILE)) & file_fields
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for name in names:
        if name in file_fields:
            upload = files.get(name)
            if upload is not None and upload.filename:
                uploads[name] = Upload(name=upload.filename, content=upload.read(),
                                       declared_type=upload.mimetype)
            elif name not in removed and str(formdata.get(name) or "").strip():
                values[name] = str(formdata.get(name)).strip()
            continue
        value = parse_value(props.get(name, {}), name, formdata)
        if value is not None:
            values[name] = value
    return Posted(values=values, uploads=uploads, unknown=unknown, removed=removed)


def placeholder_id() -> str:
    """Stands for a new upload while the data is validated, before the file is stored."""
    return str(uuid.uuid4())


def expand_errors(form: Form, errors: list[FieldError]) -> dict[str, str]:
    """pointer -> message; a missing group is reported on its own required fields."""
    props = form.schema.get("properties", {})
    found: dict[str, str] = {}
    for error in errors:
        name = error.pointer.strip("/")
        prop = props.get(name, {})
        if error.code in ("required", "dependentRequired") and prop.get("type") == "object":
            for child in prop.get("required", []):
                found.setdefault(f"/{name}/{child}", error.message)
            continue
        found.setdefault(error.pointer or "/", error.message)
    return found

