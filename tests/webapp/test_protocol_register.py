"""The protocol register: every stage with every handler carries its own document, external registers
report through the API (and nothing numbers for them), numbers are unique per ente and year."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.conftest import SIMULATORS, Api
from tests.webapp.helpers import MARIO, accesso_atti_data, act, contributo_data, create, status
from tests.webapp.tenants import make_tenant, service_copy, with_options
from webapp.extensions import db
from webapp.models import ProtocolRegistration, ServiceCallRow, Tenant
from webapp.services.common.uow import unit_of_work

FISCAL_CODE = "00112233445"
TITLES = {
    "application": "Ricevuta della domanda",
    "integration_request": "Richiesta di integrazioni",
    "integration_answer": "Integrazioni del richiedente",
    "withdrawal": "Ritiro della domanda",
}
NOW = datetime.now(UTC)


def _tenant(app: Flask, tmp_path: Path, handler: str, service: str = "accesso-atti", version: int = 1) -> Api:
    slug = f"reg-{handler}"
    folder = with_options(service_copy(tmp_path, service, version), protocol_handler=handler, protocol_required=True)
    make_tenant(app, slug, [folder])
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
        assert tenant is not None
        tenant.fiscal_code = FISCAL_CODE
    return Api(app, slug)


def _operator(api: Api) -> str:
    return f"op-{api.tenant}"


class Register:
    """Plays the handler's part: nothing to do for ours and the connector's; the external one reports."""

    def __init__(self, api: Api, handler: str) -> None:
        self.api, self.handler, self.issued = api, handler, 0

    def report(self, app_id: str, stage: str) -> None:
        if self.handler != "external":
            return
        self.issued += 1
        answer = self.api.post(f"/applications/{app_id}/protocol/{stage}", _operator(self.api), json={
            "protocol_number": f"EXT-{self.issued:07d}", "registered_at": NOW.isoformat(),
            "protocol_document_id": f"DOC-{self.issued}"})
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["stage"] == stage and answer.get_json()["protocol_number"] == f"EXT-{self.issued:07d}"


def _registrations(api: Api, app_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/applications/{app_id}/protocol", _operator(api))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()  # type: ignore[no-any-return]


def _pdf(api: Api, app_id: str, registration: dict[str, Any]) -> tuple[bytes, str, str]:
    content = api.get(f"/applications/{app_id}/attachments/{registration['document']}", _operator(api))
    assert content.status_code == 200 and content.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content.data))
    text = "".join(page.extract_text() for page in reader.pages)
    return content.data, str(reader.metadata.title), text


def _check_last(api: Api, app_id: str, handler: str, stage: str, title: str) -> str:
    """The newest registration is `stage`, numbered, and carries its own document with the ente's header."""
    last = _registrations(api, app_id)[-1]
    assert (last["stage"], last["handler"]) == (stage, handler)
    assert last["protocol_number"], last
    content, pdf_title, text = _pdf(api, app_id, last)
    assert pdf_title.startswith(title) and title in text
    assert f"Comune di Reg-{handler.title()}" in text and f"C.F. {FISCAL_CODE}" in text
    if handler == "connector":  # the register received exactly this document
        name, sent = SIMULATORS["protocol"].app.documents[last["protocol_document_id"]]
        assert sent == content and name.endswith(".pdf")
    return text


@pytest.mark.parametrize("handler", ["builtin", "connector", "external"])
def test_each_stage_is_registered_with_its_own_document(app: Flask, tmp_path: Path, handler: str) -> None:
    api = _tenant(app, tmp_path, handler)
    register = Register(api, handler)
    operator = _operator(api)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    register.report(app_id, "application")
    assert status(api, app_id, operator) == 3000
    _check_last(api, app_id, handler, "application", TITLES["application"])

    act(api, app_id, "assign", operator)
    act(api, app_id, "request-integration", operator, {"message": "Manca la copia del documento d'identità"})
    register.report(app_id, "integration_request")
    assert status(api, app_id, operator) == 4200
    text = _check_last(api, app_id, handler, "integration_request", TITLES["integration_request"])
    assert "Manca la copia del documento d'identit" in text

    act(api, app_id, "submit", MARIO, {"data": accesso_atti_data(), "message": "Ecco la copia richiesta"})
    register.report(app_id, "integration_answer")
    assert status(api, app_id, operator) == 4500
    text = _check_last(api, app_id, handler, "integration_answer", TITLES["integration_answer"])
    assert "Ecco la copia richiesta" in text and "Manca la copia" not in text

    act(api, app_id, "accept", operator, {"message": "Visione consentita del solo allegato A", "partial": True})
    register.report(app_id, "outcome")
    assert status(api, app_id, operator) == 7100
    text = _check_last(api, app_id, handler, "outcome", "Comunicazione di esito: domanda accolta parzialmente")
    assert "Visione consentita del solo allegato A" in text

    rows = _registrations(api, app_id)
    assert [r["stage"] for r in rows] == ["application", "integration_request", "integration_answer", "outcome"]
    assert len({r["protocol_number"] for r in rows}) == 4 and len({r["document"] for r in rows}) == 4
    detail = api.get(f"/applications/{app_id}", operator).get_json()
    assert detail["protocol_number"] == rows[0]["protocol_number"] and len(detail["protocol_numbers"]) == 4

    rejected = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, rejected, "submit", MARIO)
    register.report(rejected, "application")
    act(api, rejected, "assign", operator)
    act(api, rejected, "reject", operator, {"message": "Gli atti richiesti non sono detenuti dal Comune"})
    register.report(rejected, "outcome")
    assert status(api, rejected, operator) == 9000
    text = _check_last(api, rejected, handler, "outcome", "Comunicazione di esito: domanda respinta")
    assert "Gli atti richiesti non sono detenuti dal Comune" in text

    withdrawn = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, withdrawn, "submit", MARIO)
    register.report(withdrawn, "application")
    act(api, withdrawn, "assign", operator)
    _withdraw_registered(api, register, withdrawn, 4000, "Ho già ottenuto gli atti altrove")


def _withdraw_registered(api: Api, register: Register, app_id: str, before: int, reason: str) -> None:
    """The citizen withdraws a registered application: it ends once the withdrawal has its own registration."""
    act(api, app_id, "withdraw", MARIO, {"message": reason})
    if register.handler == "external":
        assert status(api, app_id, _operator(api)) == before  # final once the register has it
    register.report(app_id, "withdrawal")
    assert status(api, app_id, _operator(api)) == 20000
    text = _check_last(api, app_id, register.handler, "withdrawal", TITLES["withdrawal"])
    assert reason in text


OCCUPAZIONE = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
               "email": "mario.rossi@example.it", "indirizzo": "Via Roma 1", "superficie_mq": 20,
               "data_inizio": "2027-06-01", "data_fine": "2027-06-10", "finalita": "trasloco",
               "su_carreggiata": False}
OWN_PROCESSES = {"contributo": (2, contributo_data()), "occupazione-suolo": (1, OCCUPAZIONE)}


@pytest.mark.parametrize("handler", ["builtin", "connector", "external"])
@pytest.mark.parametrize("service", sorted(OWN_PROCESSES))
def test_a_withdrawal_on_a_services_own_process_is_registered(app: Flask, tmp_path: Path, service: str,
                                                              handler: str) -> None:
    """The shipped services with their own process and a withdrawal path register it as the lifecycle does."""
    version, data = OWN_PROCESSES[service]
    api = _tenant(app, tmp_path, handler, service, version)
    register = Register(api, handler)
    operator = _operator(api)
    withdrawn = create(api, service, data)["id"]
    act(api, withdrawn, "submit", MARIO)
    register.report(withdrawn, "application")
    assert status(api, withdrawn, operator) == 3000
    _withdraw_registered(api, register, withdrawn, 3000, "Ho cambiato programma")
    assert [(r["stage"], r["direction"]) for r in _registrations(api, withdrawn)] == [
        ("application", "in"), ("withdrawal", "in")]


def test_external_stage_reports_are_checked(app: Flask, tmp_path: Path) -> None:
    api = _tenant(app, tmp_path, "external")
    operator = _operator(api)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    [waiting] = _registrations(api, app_id)
    assert waiting["stage"] == "application" and waiting["protocol_number"] is None and waiting["document"]
    url = f"/applications/{app_id}/protocol"
    missing = api.post(f"{url}/application", operator, json={"protocol_number": "1"})
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["pointer"] == "/registered_at"
    assert api.post(f"{url}/outcome", operator, json={  # not the stage it waits for
        "protocol_number": "1", "registered_at": NOW.isoformat()}).status_code == 409
    assert api.post(f"{url}/nessuna", operator, json={
        "protocol_number": "1", "registered_at": NOW.isoformat()}).status_code == 404
    assert api.post(f"{url}/application", MARIO, json={
        "protocol_number": "1", "registered_at": NOW.isoformat()}).status_code == 403
    assert api.get(url, MARIO).status_code == 403
    assert status(api, app_id, operator) == 2000
    # The old address keeps working for the application's own registration.
    act(api, app_id, "register", operator, {"protocol_number": "2026/0000042"})
    assert status(api, app_id, operator) == 3000
    assert _registrations(api, app_id)[0]["protocol_number"] == "2026/0000042"
    paths = api.get("/openapi.json").get_json()["paths"]
    assert "post" in paths["/applications/{id}/protocol/{stage}"] and "get" in paths["/applications/{id}/protocol"]


def test_the_sweep_never_numbers_an_external_registration(app: Flask, tmp_path: Path) -> None:
    from webapp.services.jobs import run_service_call, sweep

    api = _tenant(app, tmp_path, "external")
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    with app.app_context():
        [call] = db.session.scalars(db.select(ServiceCallRow).where(ServiceCallRow.application_id == uuid.UUID(app_id))
                                    .where(ServiceCallRow.operation == "protocol.register_application")).all()
        report = sweep(datetime.now(UTC) + timedelta(minutes=10))  # long past the grace period
        assert report.calls_redispatched == 0
        assert run_service_call(str(call.id)) == "skipped"  # even sent to a worker by hand
        db.session.rollback()
        assert db.session.get(ServiceCallRow, call.id).status == "pending"
    detail = api.get(f"/applications/{app_id}", _operator(api)).get_json()
    assert detail["status"] == "2000" and detail["protocol_number"] is None
    assert _registrations(api, app_id)[0]["protocol_number"] is None


def _waiting_application(api: Api) -> str:
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def test_a_number_is_unique_in_the_entes_year(app: Flask, tmp_path: Path) -> None:
    api = _tenant(app, tmp_path, "external")
    operator = _operator(api)
    first, second, third = (_waiting_application(api) for _ in range(3))
    body = {"protocol_number": "0000007", "registered_at": "2026-03-02T10:00:00+01:00"}
    assert api.post(f"/applications/{first}/protocol/application", operator, json=body).status_code == 200
    duplicate = api.post(f"/applications/{second}/protocol/application", operator, json=body)
    assert duplicate.status_code == 409
    assert "0000007" in duplicate.get_json()["description"] and "già" in duplicate.get_json()["description"]
    assert status(api, second, operator) == 2000 and _registrations(api, second)[0]["protocol_number"] is None
    # The number restarts every year (art. 57 D.P.R. 445/2000): the same one in 2027 is another registration.
    next_year = {**body, "registered_at": "2027-01-01T00:30:00+01:00"}  # still 2026 in UTC: the year is Rome's
    assert api.post(f"/applications/{second}/protocol/application", operator, json=next_year).status_code == 200
    with app.app_context():
        years = {r.year for r in db.session.scalars(db.select(ProtocolRegistration).where(
            ProtocolRegistration.number == "0000007"))}
    assert years == {2026, 2027}
    assert api.post(f"/applications/{third}/protocol/application", operator, json={
        **body, "protocol_number": "0000008"}).status_code == 200


def test_concurrent_reports_of_one_number_register_it_once(app: Flask, tmp_path: Path) -> None:
    api = _tenant(app, tmp_path, "external")
    operator = _operator(api)
    token = api.token(operator)
    apps = [_waiting_application(api) for _ in range(4)]
    start = threading.Barrier(len(apps))
    codes: list[int] = []

    def report(app_id: str) -> None:
        client = app.test_client()
        start.wait()
        answer = client.post(f"/{api.tenant}/api/applications/{app_id}/protocol/application",
                             headers={"Authorization": f"Bearer {token}"},
                             json={"protocol_number": "0000099", "registered_at": NOW.isoformat()})
        codes.append(answer.status_code)

    threads = [threading.Thread(target=report, args=(app_id,)) for app_id in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200, 409, 409, 409]
    assert sorted(status(api, app_id, operator) for app_id in apps) == [2000, 2000, 2000, 3000]


def test_the_database_refuses_a_second_registration_of_a_number(app: Flask, tmp_path: Path) -> None:
    """The constraint itself, below the use case: two sessions insert the same number at once."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    api = _tenant(app, tmp_path, "external")
    first, second = _waiting_application(api), _waiting_application(api)
    with app.app_context():
        ids = list(db.session.scalars(db.select(ProtocolRegistration.id).where(
            ProtocolRegistration.application_id.in_([uuid.UUID(first), uuid.UUID(second)]))))
        engine = db.engine
    assert len(ids) == 2
    one, two = Session(engine), Session(engine)
    try:
        one.get(ProtocolRegistration, ids[0]).number, one.get(ProtocolRegistration, ids[0]).year = "X1", 2026
        one.flush()  # holds the index entry until commit
        blocked: list[BaseException] = []

        def second_writer() -> None:
            try:
                registration = two.get(ProtocolRegistration, ids[1])
                registration.number, registration.year = "X1", 2026
                two.flush()  # waits for the first transaction, then fails
            except IntegrityError as exc:
                blocked.append(exc)

        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # really waiting on the first writer
        one.commit()
        thread.join(timeout=30)
        assert len(blocked) == 1 and "uq_protocol_registrations_number" in str(blocked[0])
    finally:
        two.rollback()
        one.close()
        two.close()


def test_a_connector_register_giving_a_used_number_is_an_incident(app: Flask, tmp_path: Path) -> None:
    api = _tenant(app, tmp_path, "connector")
    first = _waiting_application(api)
    taken = _registrations(api, first)[0]
    simulator = SIMULATORS["protocol"].app
    with simulator.lock:  # the register's counter goes back: it gives that number again
        simulator.counters[int(taken["registered_at"][:4])] -= 1
    second = _waiting_application(api)
    detail = api.get(f"/applications/{second}", _operator(api)).get_json()
    assert detail["status"] == "2000" and detail["protocol_number"] is None
    [incident] = detail["incidents"]
    assert incident["attempts"] == 1 and "DuplicateProtocolNumber" in incident["last_error"]
    assert _registrations(api, second)[0]["protocol_number"] is None


def test_our_register_skips_a_number_another_register_gave(app: Flask, tmp_path: Path) -> None:
    """A service with an external register and one with ours in the same ente: ours never repeats its number."""
    from webapp.services.common import localtime

    api = _tenant(app, tmp_path, "builtin")
    first = _waiting_application(api)
    issued = _registrations(api, first)[0]["protocol_number"]
    year, number = issued.split("/")
    taken = f"{year}/{int(number) + 1:07d}"
    with app.app_context(), unit_of_work():
        registration = db.session.scalar(db.select(ProtocolRegistration).where(
            ProtocolRegistration.application_id == uuid.UUID(first)))
        db.session.add(ProtocolRegistration(
            tenant_id=registration.tenant_id, application_id=registration.application_id, stage="application",
            direction="in", handler="external", year=int(year), number=taken, registered_at=localtime.now()))
    second = _waiting_application(api)
    assert status(api, second, _operator(api)) == 3000
    assert _registrations(api, second)[0]["protocol_number"] == f"{year}/{int(number) + 2:07d}"


def test_the_letterhead_carries_the_entes_logo(app: Flask, tmp_path: Path) -> None:
    from PIL import Image

    from webapp.services.common.storage import storage

    api = _tenant(app, tmp_path, "builtin")
    plain = _waiting_application(api)
    image = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 102, 204)).save(image, format="PNG")
    with app.app_context(), unit_of_work():
        storage().put("logo-test-0001", image.getvalue())
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == api.tenant))
        tenant.settings = {**(tenant.settings or {}), "logo": {"key": "logo-test-0001", "mime": "image/png"}}
    with_logo = _waiting_application(api)
    images = []
    for app_id in (plain, with_logo):
        content, _title, text = _pdf(api, app_id, _registrations(api, app_id)[0])
        assert "Comune di Reg-Builtin" in text
        images.append(len(PdfReader(io.BytesIO(content)).pages[0].images))
    assert images == [0, 1]
