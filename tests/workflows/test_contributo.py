"""Richiesta di contributo economico (svc_contributo): the lifecycle's path (tested with the other
lifecycle-shaped services in test_shipped_workflows and test_payment_paths) plus its own steps:
automatic inadmissibility at submission and the manager's co-signature above 1000 euro."""

from __future__ import annotations

from typing import Any

import pytest
from test_shipped_workflows import WORKFLOWS, Driver

from engine import MessageNotExpected, ServiceDefinition, load_service

RICHIEDENTE = {"codice_fiscale": "RSSMRA80A01H501U", "nome": "Mario", "cognome": "Rossi",
               "email": "mario.rossi@example.it", "autenticazione": "spid"}


def domanda(**overrides: Any) -> dict[str, Any]:
    data = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": "RSSMRA80A01H501U",
            "email": "mario.rossi@example.it", "isee": 8500.0, "importo_richiesto": 300.0,
            "iban": "IT60X0542811101000000123456", "motivazione": "Spese scolastiche dei figli"}
    return {k: v for k, v in {**data, **overrides}.items() if v is not None}


@pytest.fixture(scope="module")
def service() -> ServiceDefinition:
    return load_service(WORKFLOWS / "contributo")


def test_manifest(service: ServiceDefinition) -> None:
    assert (service.version, service.process.process_id) == (2, "svc_contributo")
    assert service.manifest["statuses"] == {4700: {"it": "In attesa di co-firma del responsabile",
                                                   "en": "Awaiting the manager's co-signature"}}
    assert set(service.manifest["notifications"]) == {"inammissibile_isee", "inammissibile_residenza"}


def _submit(d: Driver, data: dict[str, Any]) -> None:
    d.user("ut_compile", {"action": "submit"}, data)


@pytest.mark.parametrize(("data", "template"), [
    (domanda(isee=20000.01), "inammissibile_isee"),
    (domanda(isee=35000, residente="sì"), "inammissibile_isee"),
    (domanda(residente="no"), "inammissibile_residenza"),
], ids=["isee", "isee-resident", "not-resident"])
def test_inadmissible_at_once(service: ServiceDefinition, data: dict[str, Any], template: str) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _submit(d, data)
    assert d.wait.completed and (d.wait.status, d.wait.entered) == (9000, (9000,))
    assert (d.wait.user_tasks, d.wait.service_calls, d.wait.messages) == ((), (), ())  # no office work
    assert d.notified == [(template, "cittadino")]
    assert d.history == [1000, 9000]


@pytest.mark.parametrize("data", [domanda(), domanda(isee=20000, residente="sì"), domanda(residente=None)],
                         ids=["no-residency-field", "at-threshold", "residency-absent"])
def test_admissible_goes_to_the_office(service: ServiceDefinition, data: dict[str, Any]) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _submit(d, data)
    assert d.waiting_for() == {"st_receipt"} and d.wait.status == 1900 and d.notified == []


def _to_review(d: Driver, data: dict[str, Any]) -> None:
    _submit(d, data)
    d.service("st_receipt", {"document_id": "D-1"})
    d.user("ut_take_charge", {"action": "assign"}, {})
    assert d.waiting_for() == {"ut_review"} and d.wait.status == 4000


def test_small_amount_needs_no_cosignature(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d, domanda(importo_richiesto=1000))
    d.user("ut_review", {"action": "accept", "partial": False}, {})
    assert d.wait.completed and d.wait.status == 7000
    assert d.history == [1000, 1900, 2000, 4000, 7000]


@pytest.mark.parametrize("partial", [False, True])
def test_large_amount_is_cosigned(service: ServiceDefinition, partial: bool) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d, domanda(importo_richiesto=1500))
    wait = d.user("ut_review", {"action": "accept", "partial": partial}, {})
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.variable, task.candidate, task.actions, wait.status) == (
        "ut_cosign", "cofirma", "cofirma", "responsabile", ("conferma", "respingi"), 4700)
    assert wait.entered == (4700,) and not wait.completed
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")
    d.user("ut_cosign", {"action": "conferma"}, {"nota": "ok"})
    final = 7100 if partial else 7000
    assert d.wait.completed and d.wait.status == final
    assert d.history == [1000, 1900, 2000, 4000, 4700, final]
    assert d._load().data["cofirma"] == {"nota": "ok"}


def test_refused_cosignature_goes_back_to_the_review(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d, domanda(importo_richiesto=5000))
    d.user("ut_review", {"action": "accept", "partial": False}, {})
    wait = d.user("ut_cosign", {"action": "respingi"}, {"nota": "importo da ridurre"})
    assert d.waiting_for() == {"ut_review"} and wait.entered == (4000,)
    assert wait.messages == ("withdraw",)  # as on the review before
    d.user("ut_review", {"action": "reject", "message": "Importo non giustificato"}, {})
    assert d.wait.completed and d.wait.status == 9000
    assert d.history == [1000, 1900, 2000, 4000, 4700, 4000, 9000]


def test_cosignature_before_the_payment_at_release(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE, payment_phase="release", payment_expiry="P30D")
    _to_review(d, domanda(importo_richiesto=2000))
    d.user("ut_review", {"action": "accept", "partial": False, "deferred_amount": 1600}, {})
    wait = d.user("ut_cosign", {"action": "conferma"}, {})
    assert wait.entered == (1500,) and wait.service_calls[0].params == {"amount": 1600, "phase": "release"}


def test_integration_round_keeps_working_with_the_form_data(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d, domanda(importo_richiesto=1200))
    d.user("ut_review", {"action": "request-integration", "message": "Manca l'ISEE"}, {})
    assert d.waiting_for() == {"ut_integration_answer"} and d.wait.status == 4200
    d.user("ut_integration_answer", {"action": "submit"}, {"message": "Ecco l'ISEE"})
    assert d.waiting_for() == {"ut_review"}
    d.user("ut_review", {"action": "accept", "partial": False}, {})
    assert d.waiting_for() == {"ut_cosign"}


def test_the_two_reviews_keep_their_answers_apart(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE, protocol_required=True)
    d.user("ut_compile", {"action": "submit"}, domanda())
    d.service("st_receipt")
    d.service("st_protocol_register")
    d.user("ut_take_charge", {"action": "assign"}, {})
    [review] = d.wait.user_tasks
    assert (review.bpmn_id, review.variable) == ("ut_review", "esito")
    d.user("ut_review", {"action": "request-integration"}, {"action": "request-integration", "message": "ISEE?"})
    d.service("st_protocol_integration_request")
    d.user("ut_integration_answer", {"action": "submit"}, {"message": "Eccolo"})
    d.service("st_protocol_integration_answer")
    [after] = d.wait.user_tasks
    assert (after.bpmn_id, after.form, after.variable) == ("ut_review_after_integration", "esito",
                                                           "esito_dopo_integrazione")
    d.user("ut_review_after_integration", {"action": "accept", "partial": False}, {"action": "accept"})
    d.service("st_protocol_outcome")
    data = d._load().data
    assert d.wait.status == 7000 and data["esito"]["message"] == "ISEE?"
    assert data["esito_dopo_integrazione"] == {"action": "accept"}


@pytest.mark.parametrize("point", ["ut_take_charge", "ut_review"])
def test_withdrawal_of_a_registered_application_is_registered(service: ServiceDefinition, point: str) -> None:
    """With protocol on (an ente's choice), a withdrawal after the registration is registered in turn,
    with its own document, before the application ends; without protocol it ends at once (above)."""
    d = Driver(service, richiedente=RICHIEDENTE, protocol_required=True)
    _submit(d, domanda())
    d.service("st_receipt", {"document_id": "D-1"})
    d.service("st_protocol_register", {"number": "2026/0000001"})
    assert d.wait.status == 3000
    if point == "ut_review":
        d.user("ut_take_charge", {"action": "assign"}, {})
    assert point in d.waiting_for() and d.wait.messages == ("withdraw",)
    before = d.wait.status
    wait = d.message("withdraw", {"reason": "non serve più"})
    assert not wait.completed and (wait.status, wait.entered) == (before, ())
    [call] = wait.service_calls
    assert (call.bpmn_id, call.operation, call.params) == (
        "st_protocol_withdrawal", "protocol.register_withdrawal", {"document": "withdrawal"})
    assert wait.messages == () and wait.user_tasks == ()
    wait = d.service("st_protocol_withdrawal", {"number": "2026/0000002"})
    assert wait.completed and (wait.status, wait.entered) == (20000, (20000,))
    assert d._load().data["protocollo"] == {"number": "2026/0000002"}


def test_withdrawal_without_protocol_ends_at_once(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d, domanda())
    wait = d.message("withdraw", {"reason": "non serve più"})
    assert wait.completed and (wait.status, wait.entered) == (20000, (20000,)) and wait.service_calls == ()
