from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from forms import FieldError, Form, form_from_document

ATTACHMENT = {"type": "string", "format": "attachment"}
UUID_A = "3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f"
UUID_B = "0b7e2a9c-1111-4222-8333-944455556666"


def pointers(errors: list[FieldError]) -> list[tuple[str, str]]:
    return [(error.pointer, error.code) for error in errors]


def test_required_points_at_each_missing_property(make_form: Callable[..., Form]) -> None:
    form = make_form(
        {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
        required=["a", "b", "c"],
    )
    errors = form.validate({"b": "x"})
    assert pointers(errors) == [("/a", "required"), ("/c", "required")]
    assert {error.message for error in errors} == {"Campo obbligatorio"}


def test_nested_required_and_type_errors(make_form: Callable[..., Form]) -> None:
    person = {
        "type": "object",
        "required": ["nome"],
        "properties": {"nome": {"type": "string"}, "eta": {"type": "integer"}},
    }
    form = make_form({"persona": person, "figli": {"type": "array", "items": person}})
    errors = form.validate({"persona": {"eta": "dieci"}, "figli": [{"nome": "A"}, {"nome": 3}]})
    assert pointers(errors) == [
        ("/figli/1/nome", "type"),
        ("/persona/eta", "type"),
        ("/persona/nome", "required"),
    ]
    assert errors[0].message == "Valore non valido: è atteso un testo"
    assert errors[1].message == "Valore non valido: è atteso un numero intero"


def test_extra_properties_point_at_the_extra_field(make_form: Callable[..., Form]) -> None:
    form = make_form(
        {"a": {"type": "string"}, "b": {"type": "object", "additionalProperties": False}},
        additionalProperties=False,
    )
    errors = form.validate({"a": "x", "zz": 1, "b": {"yy": 2}})
    assert pointers(errors) == [("/b/yy", "additionalProperties"), ("/zz", "additionalProperties")]
    assert errors[0].message == "Campo non previsto dal modulo"


def test_pointer_escapes_slash_and_tilde(make_form: Callable[..., Form]) -> None:
    form = make_form({"a/b": {"type": "string"}, "c~d": {"type": "string"}}, required=["a/b", "c~d"])
    assert [e.pointer for e in form.validate({})] == ["/a~1b", "/c~0d"]


def test_non_object_data_is_one_error_at_the_root(make_form: Callable[..., Form]) -> None:
    form = make_form({"a": {"type": "string"}}, required=["a"])
    samples: list[Any] = [None, [], "x", 3]
    for data in samples:
        assert pointers(form.validate(data)) == [("", "type")]


@pytest.mark.parametrize(
    ("schema", "value", "code", "message"),
    [
        ({"type": "string", "minLength": 3}, "ab", "minLength", "Inserisci almeno 3 caratteri"),
        ({"type": "string", "minLength": 1}, "", "minLength", "Campo obbligatorio"),
        ({"type": "string", "maxLength": 1}, "ab", "maxLength", "Inserisci al massimo 1 carattere"),
        ({"enum": ["x", "y"]}, "z", "enum", "Scegli uno dei valori previsti"),
        ({"const": True}, False, "const", "Conferma obbligatoria"),
        ({"const": "x"}, "y", "const", "Valore non ammesso"),
        ({"type": "number", "minimum": 0}, -1, "minimum", "Il valore deve essere almeno 0"),
        ({"type": "number", "maximum": 2.5}, 3, "maximum", "Il valore deve essere al massimo 2,5"),
        ({"exclusiveMinimum": 0}, 0, "exclusiveMinimum", "Il valore deve essere maggiore di 0"),
        ({"type": "string", "pattern": "^[A-Z]+$"}, "ab", "pattern", "Formato non valido"),
        ({"type": "array", "minItems": 2}, [1], "minItems", "Indica almeno 2 elementi"),
        ({"type": "array", "maxItems": 1}, [1, 2], "maxItems", "Indica al massimo 1 elemento"),
        ({"type": "number", "multipleOf": 5}, 7, "multipleOf", "Valore non valido"),
        ({"type": "boolean"}, "yes", "type", "Valore non valido: è atteso sì o no"),
    ],
)
def test_italian_messages(
    make_form: Callable[..., Form], schema: dict[str, Any], value: Any, code: str, message: str
) -> None:
    form = make_form({"v": schema})
    assert form.validate({"v": value}) == [FieldError("/v", message, code)]


def test_boolean_is_not_a_number(make_form: Callable[..., Form]) -> None:
    form = make_form({"n": {"type": "number"}})
    assert pointers(form.validate({"n": True})) == [("/n", "type")]


def test_dependent_required_points_at_the_dependency(make_form: Callable[..., Form]) -> None:
    form = make_form(
        {"iban": {"type": "string", "title": "IBAN"}, "intestatario": {"type": "string"}},
        dependentRequired={"iban": ["intestatario"]},
    )
    assert form.validate({}) == []
    assert form.validate({"iban": "x", "intestatario": "y"}) == []
    [error] = form.validate({"iban": "x"})
    assert (error.pointer, error.code) == ("/intestatario", "dependentRequired")
    assert error.message == "Campo obbligatorio quando è compilato «IBAN»"


def test_if_then_else_errors_land_on_fields(make_form: Callable[..., Form]) -> None:
    form = make_form(
        {"tipo": {"enum": ["persona", "ditta"]}, "cf": {"type": "string"}, "piva": {"type": "string"}},
        **{
            "if": {"properties": {"tipo": {"const": "ditta"}}, "required": ["tipo"]},
            "then": {"required": ["piva"]},
            "else": {"required": ["cf"]},
        },
    )
    assert pointers(form.validate({"tipo": "ditta"})) == [("/piva", "required")]
    assert pointers(form.validate({"tipo": "persona"})) == [("/cf", "required")]
    assert form.active_fields({"tipo": "ditta"}) == {"tipo", "piva"}
    assert form.active_fields({}) == {"tipo", "cf"}


def test_conditionals_inside_all_of_and_dependent_schemas(make_form: Callable[..., Form]) -> None:
    when_a = {"properties": {"a": {"const": True}}, "required": ["a"]}
    form = make_form(
        {"a": {"type": "boolean"}, "b": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "string"}},
        allOf=[{"if": when_a, "then": {"required": ["b"]}}],
        dependentSchemas={"c": {"required": ["d"]}},
    )
    assert form.active_fields({}) == {"a", "c"}
    assert form.active_fields({"a": True, "c": "x"}) == {"a", "b", "c", "d"}
    assert pointers(form.validate({"a": True, "c": "x"})) == [("/b", "required"), ("/d", "required")]


def test_validator_is_compiled_once(make_form: Callable[..., Form]) -> None:
    form = make_form({"a": {"type": "string"}})
    form.validate({})
    first = form.__dict__["_validator"]
    form.validate({"a": "x"})
    assert form.__dict__["_validator"] is first


def _stepped_form() -> Form:
    return form_from_document("p", {
        "title": "Passi",
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["a", "b", "c"],
            "properties": {
                "a": {"type": "string"},
                "b": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
                "c": {"type": "string"},
            },
        },
        "ui": {"steps": [
            {"id": "uno", "title": "Uno", "fields": ["a", "b"]},
            {"id": "due", "title": "Due", "fields": ["c"]},
        ]},
    })


def test_validate_step_keeps_only_that_steps_fields() -> None:
    form = _stepped_form()
    data: dict[str, Any] = {"b": {}}
    assert pointers(form.validate_step("uno", data)) == [("/a", "required"), ("/b/x", "required")]
    assert pointers(form.validate_step("due", data)) == [("/c", "required")]
    assert form.validate_step("uno", {"a": "x", "b": {"x": "y"}}) == []
    with pytest.raises(KeyError):
        form.validate_step("tre", data)


def test_errors_by_step_says_what_each_step_would_from_one_validation() -> None:
    form = _stepped_form()
    for data in ({"b": {}}, {"a": "x", "b": {"x": "y"}}, {"a": "x", "b": {"x": "y"}, "c": "z"}, {}):
        assert form.errors_by_step(data) == {step.id: form.validate_step(step.id, data) for step in form.steps}
    assert pointers(form.errors_by_step({"b": {}})["uno"]) == [("/a", "required"), ("/b/x", "required")]
    not_an_object: Any = ["x"]
    assert [e.code for e in form.errors_by_step(not_an_object)["due"]] == ["type"]


def test_validate_step_matches_whole_field_names_only() -> None:
    form = form_from_document("p", {
        "title": "Passi",
        "schema": {"type": "object", "required": ["ab"], "properties": {"a": {}, "ab": {}}},
        "ui": {"steps": [
            {"id": "1", "title": "1", "fields": ["a"]},
            {"id": "2", "title": "2", "fields": ["ab"]},
        ]},
    })
    assert form.validate_step("1", {}) == []


def test_attachment_fields_walks_arrays_and_nested_objects(make_form: Callable[..., Form]) -> None:
    form = make_form({
        "documento": ATTACHMENT,
        "allegati": {"type": "array", "items": ATTACHMENT},
        "delega": {"type": "object", "properties": {"file": ATTACHMENT, "nota": {"type": "string"}}},
        "testo": {"type": "string"},
    })
    data = {
        "testo": UUID_B,  # a uuid in a plain text field is not an attachment
        "documento": UUID_A,
        "allegati": [UUID_B, UUID_A],
        "delega": {"file": UUID_B, "nota": "n"},
    }
    assert form.attachment_fields(data) == [UUID_A, UUID_B]
    assert form.attachment_fields({}) == []
    assert form.attachment_fields({"allegati": "not a list", "delega": 3}) == []


def test_attachment_fields_sees_fields_declared_in_branches(make_form: Callable[..., Form]) -> None:
    form = make_form(
        {"tipo": {"type": "string"}},
        **{"if": {"required": ["tipo"]}, "then": {"properties": {"doc": ATTACHMENT}}},
    )
    assert form.attachment_fields({"tipo": "x", "doc": UUID_A}) == [UUID_A]
