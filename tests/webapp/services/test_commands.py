"""Typed commands: the API's bodies and the back office's forms become the same commands."""

from __future__ import annotations

import uuid

import pytest

from webapp.services import applications, screens
from webapp.services.applications import IntegrationDecision, Outcome, StampRequest, TaskAction, command_for
from webapp.services.common.errors import BadRequest, NotFound, ValidationFailed
from webapp.services.common.uploads import Upload


def test_an_action_that_is_not_a_name_is_not_found_and_others_are_the_process_s():
    with pytest.raises(NotFound, match="sconosciuta"):
        command_for("approva tutto!", {})
    assert command_for("favorevole", {"data": {"note": "ok"}}) == TaskAction("favorevole", {"note": "ok"})


def test_an_api_approval_with_a_deferred_payment_and_stamps():
    command = command_for("accept", {"partial": True, "message": "  Bene  ", "payment": {"amount": 500},
                                     "stamps": [{"reason": "Copia conforme"}, "not an object"]})
    assert command == Outcome(approved=True, partial=True, message="Bene", payment_amount=500,
                              stamps=(StampRequest(reason="Copia conforme"), StampRequest()))
    assert command.action == "accept" and command_for("reject", {}).action == "reject"
    assert command_for("accept", {"is_partial": True}).partial is True


def test_accepting_all_integrations_differs_from_accepting_none():
    chosen = uuid.uuid4()
    assert command_for("accept-integration", {"messages": None}) == IntegrationDecision(accepted=True)
    assert command_for("accept-integration", {"messages": []}).messages == ()
    assert command_for("accept-integration", {"messages": [chosen]}).messages == (chosen,)
    assert command_for("cancel-integration", {}).action == "cancel-integration"


def test_api_attachments_are_decoded_and_refused_in_words():
    command = command_for("request-integration", {"message": "Manca il documento",
                                                  "attachments": [{"name": "a.pdf", "file": "JVBERi0="}]})
    assert command.attachments == (Upload(name="a.pdf", content=b"%PDF-"),)
    with pytest.raises(BadRequest, match="base64"):
        command_for("request-integration", {"attachments": [{"name": "a.pdf", "file": "%%%"}]})
    with pytest.raises(ValidationFailed):
        command_for("request-integration", {"attachments": "a.pdf"})


def test_the_back_office_form_is_checked_by_its_schema():
    form = {"message": " Approvata ", "partial": "1", "payment_amount": "1.234,50", "stamps_count": "2",
            "stamps_reason": "", "operator_id": "", "version": "3"}
    command = screens.page_command("accept", form, [])
    assert command == Outcome(approved=True, partial=True, message="Approvata", payment_amount=123450,
                              stamps=(StampRequest("Imposta di bollo"), StampRequest("Imposta di bollo")))
    assert screens.page_command("reject", form, []) == Outcome(approved=False, message="Approvata")
    assert screens.page_command("take-over", {}, []) == applications.Assign(take_over=True)


@pytest.mark.parametrize(("field", "value", "pointer", "text"), [
    ("payment_amount", "cinquanta", "/payment/amount", "Importo non valido (ad esempio 50,00)."),
    ("payment_amount", "nan", "/payment/amount", "Importo non valido (ad esempio 50,00)."),
    ("stamps_count", "9", "/stamps", "Da 0 a 5 marche da bollo."),
    ("stamps_count", "due", "/stamps", "Da 0 a 5 marche da bollo."),
    ("operator_id", "nessuno", "/operator_id", "Operatore non valido."),
])
def test_a_wrong_form_field_is_a_field_error_in_italian(field, value, pointer, text):
    with pytest.raises(ValidationFailed) as refused:
        screens.page_command("accept", {field: value}, [])
    [problem] = refused.value.errors
    assert (problem.pointer, problem.message) == (pointer, text)
