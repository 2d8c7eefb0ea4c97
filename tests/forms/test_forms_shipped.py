"""The form documents shipped under workflows/: they load, and their rules behave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forms import Form, load_form

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
UUID = "3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f"
SHIPPED = sorted(WORKFLOWS.glob("*/forms/*.json"))


def _pointers(form: Form, data: dict[str, Any]) -> list[str]:
    return [error.pointer for error in form.validate(data)]


def test_the_expected_forms_are_shipped() -> None:
    names = {str(path.relative_to(WORKFLOWS)) for path in SHIPPED}
    assert {
        "accesso-atti/forms/domanda.json",
        "contributo/forms/domanda.json",
        "_lifecycle/forms/presa_in_carico.json",
        "_lifecycle/forms/esito.json",
        "_lifecycle/forms/integrazione.json",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: str(path.relative_to(WORKFLOWS)))
def test_every_shipped_form_loads(path: Path) -> None:
    form = load_form(str(path.relative_to(WORKFLOWS)), path)
    assert form.title and form.steps
    for name in form.schema["properties"]:
        assert form.schema["properties"][name].get("title"), f"{name} has no Italian label"


def _applicant(**extra: Any) -> dict[str, Any]:
    return {
        "privacy": True,
        "nome": "Mario",
        "cognome": "Rossi",
        "codice_fiscale": "RSSMRA80A01H501U",
        "email": "mario.rossi@example.it",
        **extra,
    }


def _accesso(**extra: Any) -> dict[str, Any]:
    return _applicant(**{
        "in_qualita_di": "diretto interessato",
        "atti_richiesti": "Determina n. 12 del 2024 dell'ufficio tecnico",
        "motivazione": "Tutela di un interesse legittimo",
        "modalita_accesso": "copia semplice",
        **extra,
    })


def test_accesso_atti_direct_request_is_valid(accesso_atti: Form) -> None:
    assert accesso_atti.validate(_accesso()) == []
    assert accesso_atti.validate(_accesso(telefono="+39 333 1234567")) == []


def test_accesso_atti_delegate_needs_delegation_document(accesso_atti: Form) -> None:
    data = _accesso(in_qualita_di="delegato")
    assert _pointers(accesso_atti, data) == ["/delegante", "/documento_delega"]
    data["delegante"] = {"nome": "Giuseppina", "cognome": "Verdi"}
    assert _pointers(accesso_atti, data) == ["/delegante/codice_fiscale", "/documento_delega"]
    data["delegante"]["codice_fiscale"] = "VRDGPP85M41F205X"
    data["documento_delega"] = UUID
    assert accesso_atti.validate(data) == []
    assert accesso_atti.attachment_fields(data) == [UUID]


def test_accesso_atti_delegation_errors_belong_to_the_applicant_step(accesso_atti: Form) -> None:
    data = _accesso(in_qualita_di="delegato")
    assert [e.pointer for e in accesso_atti.validate_step("richiedente", data)] == [
        "/delegante",
        "/documento_delega",
    ]
    assert accesso_atti.validate_step("richiesta", data) == []


def test_accesso_atti_shows_delegation_only_for_delegates(accesso_atti: Form) -> None:
    conditional = {"delegante", "documento_delega"}
    assert not conditional & accesso_atti.active_fields(_accesso())
    assert not conditional & accesso_atti.active_fields({})
    assert conditional <= accesso_atti.active_fields(_accesso(in_qualita_di="delegato"))
    assert "atti_richiesti" in accesso_atti.active_fields({})


def test_accesso_atti_field_errors(accesso_atti: Form) -> None:
    data = _accesso(privacy=False, codice_fiscale="RSSMRA80A01H501X", atti_richiesti="breve", altro=1)
    errors = {error.pointer: error for error in accesso_atti.validate(data)}
    assert set(errors) == {"/privacy", "/codice_fiscale", "/atti_richiesti", "/altro"}
    assert errors["/codice_fiscale"].message == "Codice fiscale non valido"
    assert errors["/altro"].message == "Campo non previsto dal modulo"
    assert errors["/atti_richiesti"].code == "minLength"


def test_accesso_atti_privacy_step(accesso_atti: Form) -> None:
    assert [e.pointer for e in accesso_atti.validate_step("privacy", {})] == ["/privacy"]
    assert accesso_atti.validate_step("privacy", {"privacy": True}) == []


def test_contributo(contributo: Form) -> None:
    data = _applicant(isee=8500.5, importo_richiesto=300, iban="IT60X0542811101000000123456",
                      motivazione="Spese mediche")
    assert contributo.validate(data) == []
    bad = {**data, "isee": -1, "importo_richiesto": 0, "iban": "IT00X0542811101000000123456"}
    assert [(e.pointer, e.code) for e in contributo.validate(bad)] == [
        ("/iban", "iban"),
        ("/importo_richiesto", "exclusiveMinimum"),
        ("/isee", "minimum"),
    ]
    assert [s.id for s in contributo.steps] == ["privacy", "richiedente", "situazione", "richiesta"]


def test_esito_requires_message_to_reject_or_ask_integration(esito: Form) -> None:
    assert esito.validate({"action": "accept"}) == []
    assert esito.validate({"action": "accept", "partial": True, "message": "Accolta"}) == []
    for action in ("reject", "request-integration"):
        assert _pointers(esito, {"action": action}) == ["/message"]
        assert _pointers(esito, {"action": action, "message": ""}) == ["/message"]
        assert esito.validate({"action": action, "message": "Manca la delega"}) == []
    assert _pointers(esito, {}) == ["/action"]
    assert _pointers(esito, {"action": "maybe"}) == ["/action"]
    assert esito.schema["properties"]["partial"]["default"] is False


def test_esito_message_stays_available_on_accept(esito: Form) -> None:
    assert "message" in esito.active_fields({"action": "accept"})
    assert "message" in esito.active_fields({"action": "reject"})


def test_lifecycle_presa_in_carico_and_integrazione() -> None:
    forms = WORKFLOWS / "_lifecycle" / "forms"
    presa = load_form("presa_in_carico", forms / "presa_in_carico.json")
    assert presa.validate({}) == []
    assert presa.validate({"note": "Assegnata all'ufficio tributi"}) == []
    integrazione = load_form("integrazione", forms / "integrazione.json")
    assert [e.pointer for e in integrazione.validate({})] == ["/message"]
    data = {"message": "Ecco la delega", "allegati": [UUID]}
    assert integrazione.validate(data) == []
    assert integrazione.attachment_fields(data) == [UUID]
    errors = integrazione.validate({"message": "x", "allegati": ["nope"]})
    assert [e.pointer for e in errors] == ["/allegati/0"]
