"""The render model of a form step, pure: fields for the template, and posted values back to JSON."""

from __future__ import annotations

import io
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from forms import FieldError, Upload, build_fields, expand_errors, form_from_document, parse_step, required_fields

DOCUMENT: dict[str, Any] = {
    "title": "Prova",
    "schema": {
        "type": "object",
        "required": ["nome", "residenza"],
        "properties": {
            "nome": {"type": "string", "title": "Nome"},
            "figli": {"type": "integer", "title": "Figli"},
            "isee": {"type": "number", "title": "ISEE"},
            "modo": {"type": "string", "title": "Modo", "enum": ["posta", "pec"]},
            "pec": {"type": "string", "title": "PEC", "format": "email"},
            "privacy": {"type": "boolean", "title": "Privacy"},
            "documento": {"type": "string", "title": "Documento", "format": "attachment"},
            "residenza": {"type": "object", "title": "Residenza", "required": ["cap"],
                          "properties": {"via": {"type": "string", "title": "Via"},
                                         "cap": {"type": "string", "title": "CAP"}}},
        },
        "if": {"properties": {"modo": {"const": "pec"}}, "required": ["modo"]},
        "then": {"required": ["pec"]},
    },
    "ui": {"steps": [{"id": "uno", "title": "Uno", "fields": ["nome", "figli", "isee", "modo", "pec", "privacy",
                                                             "documento", "residenza"]}],
           "help": {"nome": "Come nel documento"}},
}
FORM = form_from_document("prova", DOCUMENT)
NAMES = ("nome", "figli", "isee", "modo", "pec", "privacy", "documento", "residenza")


def test_fields_carry_label_widget_value_help_and_error():
    views = build_fields(FORM, list(NAMES), {"nome": "Mario", "residenza": {"cap": "00100"}},
                         {"/residenza/cap": "CAP non valido"}, required_fields(FORM, {"modo"}))
    by_name = {view.name: view for view in views}
    assert (by_name["nome"].label, by_name["nome"].widget, by_name["nome"].value) == ("Nome", "text", "Mario")
    assert by_name["nome"].help == "Come nel documento" and by_name["nome"].required
    assert [by_name[n].widget for n in ("figli", "modo", "pec", "privacy", "documento")] == [
        "number", "radio", "email", "checkbox", "file"]
    assert by_name["modo"].options == ["posta", "pec"]
    [via, cap] = by_name["residenza"].children
    assert (cap.name, cap.required, cap.value, cap.error) == ("residenza.cap", True, "00100", "CAP non valido")
    assert not via.required and cap.id == "f-residenza-cap"


def test_a_conditional_field_is_required_only_when_its_branch_applies():
    assert "pec" in required_fields(FORM, {"pec"})
    assert "pec" not in required_fields(FORM, set())


def test_posted_values_come_back_typed_in_italian_formats():
    posted = parse_step(FORM, NAMES, MultiDict({"nome": "  Mario ", "figli": "2", "isee": "8.500,50",
                                                "privacy": "on", "residenza.cap": "00100", "intruso": "x",
                                                "csrf_token": "t"}), MultiDict())
    assert posted.values["nome"] == "Mario" and posted.values["figli"] == 2 and posted.values["isee"] == 8500.5
    assert posted.values["privacy"] is True and posted.values["residenza"] == {"cap": "00100"}
    assert posted.unknown == ["intruso"]  # the control fields (csrf_token...) are not the form's


def test_a_posted_file_is_an_upload_and_a_kept_one_its_id():
    chosen = FileStorage(stream=io.BytesIO(b"%PDF-1.4"), filename="carta.pdf", content_type="application/pdf")
    posted = parse_step(FORM, NAMES, MultiDict(), MultiDict({"documento": chosen}))
    assert posted.uploads == {"documento": Upload("carta.pdf", b"%PDF-1.4", "application/pdf")}
    kept = parse_step(FORM, NAMES, MultiDict({"documento": "1234"}), MultiDict())
    assert kept.values["documento"] == "1234" and not kept.uploads
    removed = parse_step(FORM, NAMES, MultiDict({"documento": "1234", "rimuovi": "documento"}), MultiDict())
    assert "documento" not in removed.values and removed.removed == {"documento"}


def test_a_missing_group_is_reported_on_its_own_required_fields():
    errors = expand_errors(FORM, [FieldError("/residenza", "Campo obbligatorio", "required"),
                                  FieldError("/nome", "Troppo lungo", "maxLength")])
    assert errors == {"/residenza/cap": "Campo obbligatorio", "/nome": "Troppo lungo"}
