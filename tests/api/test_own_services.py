"""The four services with their own processes, through the API, to each of their outcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import connectors
from tests.conftest import SIMULATORS
from tests.webapp.helpers import MARIO, act, create, pay
from tests.webapp.process_tasks import complete, tasks
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.jobs import sweep

CITIZEN = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
           "email": "mario.rossi@example.it"}


def _status(api: Any, app_id: str) -> tuple[int, str]:
    body = api.get(f"/applications/{app_id}", "admin").get_json()
    return int(body["status"]), body["status_name"]


def _subjects(app: Any, app_id: str, recipient: str = "mario.rossi@example.it") -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage.subject).where(
            OutboxMessage.application_id == uuid.UUID(app_id), OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.created_at)))


def _task(api: Any, app_id: str, user: str, name: str) -> dict[str, Any]:
    found = [t for t in tasks(api, app_id, user) if t["name"] == name]
    assert found, (name, [t["name"] for t in tasks(api, app_id, "admin")])
    return found[0]


# --- Occupazione temporanea di suolo pubblico ---------------------------------------------------

def _occupazione(api: Any, **overrides: Any) -> str:
    data = {**CITIZEN, "indirizzo": "Via Roma 1", "superficie_mq": 20, "data_inizio": "2027-06-01",
            "data_fine": "2027-06-10", "finalita": "trasloco", "su_carreggiata": False, **overrides}
    app_id = create(api, "occupazione-suolo", data)["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    return str(app_id)


def test_occupazione_small_needs_only_the_technical_opinion_and_is_paid_at_release(app, api, live_server):
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/demo/webhooks/pagopa"
    app_id = _occupazione(api)
    assert [t["name"] for t in tasks(api, app_id, "admin")] == ["ut_opinion_technical"]
    assert _status(api, app_id) == (4600, "In attesa di pareri")
    opinion = _task(api, app_id, "tecnico", "ut_opinion_technical")
    assert complete(api, app_id, opinion["id"], "vigile", {"motivazione": "x"}, action="favorevole").status_code == 404
    assert complete(api, app_id, opinion["id"], "tecnico", {"motivazione": "Nessun impedimento tecnico"},
                    action="favorevole").status_code == 204
    act(api, app_id, "accept", "operatore", {"message": "Autorizzata"})
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert payment["amount"] == 20 * 10 * 50 and _status(api, app_id)[0] == 1500  # m² x days x 50 cents
    assert pay(api, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303  # back to the Area personale
    assert _status(api, app_id)[0] == 7000


def test_occupazione_large_needs_both_offices(app, api):
    app_id = _occupazione(api, superficie_mq=80)
    assert sorted(t["name"] for t in tasks(api, app_id, "admin")) == ["ut_opinion_police", "ut_opinion_technical"]
    assert [t["name"] for t in tasks(api, app_id, "vigile")] == ["ut_opinion_police"]
    assert [t["name"] for t in tasks(api, app_id, "tecnico")] == ["ut_opinion_technical"]
    for user, name in (("tecnico", "ut_opinion_technical"), ("vigile", "ut_opinion_police")):
        assert complete(api, app_id, _task(api, app_id, user, name)["id"], user, {"motivazione": "Parere reso"},
                        action="favorevole").status_code == 204
    assert [t["name"] for t in tasks(api, app_id, "operatore")] == ["ut_review"]
    act(api, app_id, "reject", "operatore", {"message": "Area non disponibile in quelle date"})
    assert _status(api, app_id)[0] == 9000
    assert any("respint" in subject.lower() for subject in _subjects(app, app_id))


# --- Contributo economico, on its own process ---------------------------------------------------

def _contributo(api: Any, **overrides: Any) -> str:
    data = {**CITIZEN, "isee": 8500.0, "importo_richiesto": 300.0, "iban": "IT60X0542811101000000123456",
            "motivazione": "Spese scolastiche dei figli", **overrides}
    app_id = create(api, "contributo", data)["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def test_contributo_above_the_isee_threshold_is_inadmissible_without_office_work(app, api):
    app_id = _contributo(api, isee=25000.0)
    assert _status(api, app_id)[0] == 9000
    assert tasks(api, app_id, "admin") == []
    assert any("ISEE" in subject or "ammissibil" in subject for subject in _subjects(app, app_id))


def test_contributo_above_1000_euro_needs_the_manager_s_co_signature(app, api):
    app_id = _contributo(api, importo_richiesto=1500.0)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso"})
    assert _status(api, app_id) == (4700, "In attesa di co-firma del responsabile")
    cosign = _task(api, app_id, "manager", "ut_cosign")
    assert complete(api, app_id, cosign["id"], "operatore", {}, action="conferma").status_code == 404
    assert complete(api, app_id, cosign["id"], "manager", {"nota": "Visto"}, action="respingi").status_code == 204
    assert _status(api, app_id)[0] == 4000  # back to the office's review
    act(api, app_id, "accept", "operatore", {"message": "Concesso dopo verifica"})
    assert api.post(f"/applications/{app_id}/transition/conferma", "manager", json={}).status_code == 204
    assert _status(api, app_id)[0] == 7000


def test_contributo_below_1000_euro_is_approved_by_the_office_alone(app, api):
    app_id = _contributo(api)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso"})
    assert _status(api, app_id)[0] == 7000


# --- Segnalazione di disservizio ---------------------------------------------------------------

def _segnalazione(api: Any, categoria: str, **overrides: Any) -> str:
    data = {"privacy": True, "categoria": categoria, "descrizione": "Una buca profonda davanti al civico 3",
            "luogo": "Via Roma 3", **overrides}
    app_id = create(api, "segnalazione", data)["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def test_a_report_goes_to_the_competent_office_and_the_citizen_hears_twice(app, api):
    app_id = _segnalazione(api, "buca_stradale")
    assert [t["candidate"] for t in tasks(api, app_id, "admin")] == ["ufficio:manutenzioni"]
    refused = api.post(f"/applications/{app_id}/transition/assign", "operatore", json={})
    assert refused.status_code == 403  # enabled for the service, but the step is the Manutenzioni's
    act(api, app_id, "assign", "manutentore")
    handle = _task(api, app_id, "manutentore", "ut_handle")
    assert complete(api, app_id, handle["id"], "manutentore", {"resoconto": "Buca chiusa"},
                    action="risolta").status_code == 204
    assert _status(api, app_id)[0] == 7000
    subjects = _subjects(app, app_id)
    # received (the acknowledgement's e-mail: the process has no text of its own for it), taken in charge, closed
    assert len(subjects) == 3 and subjects == sorted(set(subjects), key=subjects.index)
    assert subjects[0] == "Segnalazione di disservizio: domanda ricevuta"
    police = _segnalazione(api, "sosta_vietata")
    assert [t["candidate"] for t in tasks(api, police, "admin")] == ["ufficio:polizia-locale"]


def test_a_report_left_for_three_days_escalates_to_the_manager(app, api):
    app_id = _segnalazione(api, "illuminazione")
    act(api, app_id, "assign", "manutentore")
    with app.app_context():
        sweep(datetime.now(UTC) + timedelta(days=4))
    assert [t["name"] for t in tasks(api, app_id, "admin")] == ["ut_escalation"]
    assert tasks(api, app_id, "manutentore") == []
    escalation = _task(api, app_id, "manager", "ut_escalation")
    assert complete(api, app_id, escalation["id"], "manager", {"resoconto": "Sollecitata la ditta"},
                    action="risolta").status_code == 204
    assert _status(api, app_id)[0] == 7000


def test_an_anonymous_report_hides_its_author_from_the_office(app, api):
    app_id = _segnalazione(api, "rifiuti", anonima=True)
    office_view = api.get(f"/applications/{app_id}", "manutentore").get_json()
    assert office_view["user_name"] == "Segnalazione anonima" and office_view["applicant_fiscal_code"] == ""
    history = api.get(f"/applications/{app_id}/history", "manutentore").get_json()
    assert all(h["user"] != "Mario Rossi" for h in history)
    assert api.get(f"/applications/{app_id}", MARIO).status_code == 200  # the author still follows it


# --- Iscrizione alla mensa scolastica ----------------------------------------------------------

def _mensa(api: Any) -> str:
    data = {**CITIZEN, "alunno_nome": "Luca", "alunno_cognome": "Bianchi", "alunno_codice_fiscale": "BNCLCU90C15F839M",
            "scuola": "primaria_collodi", "classe": "3A", "dieta": "standard"}
    app_id = create(api, "mensa-scolastica", data)["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "scuola")
    act(api, app_id, "accept", "scuola", {"message": "Posto disponibile"})
    return str(app_id)


def test_after_acceptance_the_citizen_chooses_the_tariff(app, api):
    app_id = _mensa(api)
    assert _status(api, app_id) == (6500, "In attesa della scelta della tariffa")
    [task] = tasks(api, app_id, MARIO)
    assert task["name"] == "ut_tariff" and task["candidate"] == "cittadino"
    assert tasks(api, app_id, "scuola") == []
    assert api.get("/tasks", MARIO).get_json()["meta"]["count"] == 1
    assert complete(api, app_id, task["id"], MARIO, {}, action="fascia-massima").status_code == 204
    assert _status(api, app_id)[0] == 7000


def test_without_the_citizen_s_choice_the_enrolment_lapses(app, api):
    app_id = _mensa(api)
    with app.app_context():
        sweep(datetime.now(UTC) + timedelta(days=16))
    assert _status(api, app_id) == (9500, "Decaduta per mancata scelta della tariffa")
    assert tasks(api, app_id, MARIO) == []
