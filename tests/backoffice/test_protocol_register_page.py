"""The back office's Registro di protocollo: every registration of the ente the user may see, with its
number, stage, direction, application, PDF and state; filters, CSV export, empty states, the Protocollo
tab of one application, English."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Flask

from tests.backoffice.conftest import add_staff, logged_in
from tests.conftest import Api
from tests.webapp.helpers import MARIO, accesso_atti_data, act, create, submitted
from tests.webapp.tenants import make_tenant, service_copy, with_options
from webapp.extensions import db
from webapp.models import CALL_FAILED, ProtocolRegistration, ServiceCallRow
from webapp.services.common.uow import unit_of_work

PAGE = "/demo/backoffice/protocollo"


def _registrations(app: Flask, app_id: str) -> list[ProtocolRegistration]:
    with app.app_context():
        return list(db.session.scalars(db.select(ProtocolRegistration).where(
            ProtocolRegistration.application_id == uuid.UUID(app_id)).order_by(ProtocolRegistration.created_at)))


def _rejected(api: Api) -> str:
    app_id = submitted(api, "accesso-atti")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "reject", "operatore", {"message": "Atti non detenuti dal Comune"})
    return app_id


def test_the_register_lists_each_registration_with_its_pdf_and_application(app: Flask, api: Api) -> None:
    rejected = _rejected(api)
    application, outcome = _registrations(app, rejected)
    client = logged_in(app, "operatore")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Registro di protocollo</h1>" in html and "2 registrazioni trovate" in html
    for registration in (application, outcome):
        assert f">{registration.number}</th>" in html and f"<td>{registration.year}</td>" in html
        pdf = client.get(f"/demo/backoffice/pratiche/{rejected}/allegati/{registration.attachment_id}")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert f"/allegati/{registration.attachment_id}" in html
    assert "Domanda" in html and "Esito" in html and "In entrata" in html and "In uscita" in html
    assert html.count("Protocollata</span>") == 2 and "application" not in html.split("<tbody>")[1]
    assert f"/backoffice/pratiche/{rejected}/protocollo" in html  # the application, at its Protocollo tab
    newest_first = html.index(f">{outcome.number}</th>") < html.index(f">{application.number}</th>")
    assert newest_first

    tab = client.get(f"/demo/backoffice/pratiche/{rejected}/protocollo").get_data(as_text=True)
    assert "Documenti protocollati" in tab and tab.count("Scarica PDF") == 2
    assert f">{outcome.number}</th>" in tab and "Ritiro della domanda" not in tab


def test_filters_by_stage_state_and_period_and_the_empty_states(app: Flask, api: Api) -> None:
    client = logged_in(app, "operatore")
    empty = client.get(PAGE).get_data(as_text=True)
    assert "Registro vuoto" in empty and "0 registrazioni trovate" in empty and "<table" not in empty
    assert "Scarica CSV" not in empty
    rejected = _rejected(api)
    only_outcome = client.get(PAGE, query_string={"stage": "outcome"}).get_data(as_text=True)
    assert "1 registrazione trovata" in only_outcome and "Esito" in only_outcome.split("<tbody>")[1]
    assert "Domanda" not in only_outcome.split("<tbody>")[1]
    waiting = client.get(PAGE, query_string={"state": "waiting"}).get_data(as_text=True)
    assert "Nessuna registrazione di protocollo corrisponde ai filtri." in waiting and "Azzera i filtri" in waiting
    assert "2 registrazioni trovate" in client.get(PAGE, query_string={"period": "today"}).get_data(as_text=True)
    past = client.get(PAGE, query_string={"period": "custom", "from": "2020-01-01", "to": "2020-12-31"})
    assert "0 registrazioni trovate" in past.get_data(as_text=True)
    nonsense = client.get(PAGE, query_string={"stage": "x'--", "state": "<b>", "period": "ieri", "page": "abc"})
    assert nonsense.status_code == 200 and "2 registrazioni trovate" in nonsense.get_data(as_text=True)

    with app.app_context(), unit_of_work():  # the register gave no number and the worker ran out of attempts
        _application, outcome = (db.session.get(ProtocolRegistration, r.id) for r in _registrations(app, rejected))
        outcome.number, outcome.year, outcome.registered_at = None, None, None
        db.session.get(ServiceCallRow, outcome.call_id).status = CALL_FAILED
    failed = client.get(PAGE, query_string={"state": "failed"}).get_data(as_text=True)
    assert "1 registrazione trovata" in failed and "Protocollazione non riuscita" in failed
    assert "1 registrazione trovata" in client.get(PAGE, query_string={"state": "registered"}).get_data(as_text=True)
    assert "0 registrazioni trovate" in client.get(PAGE, query_string={"state": "waiting"}).get_data(as_text=True)


def test_a_register_that_has_not_numbered_yet_is_waiting(app: Flask, tmp_path: Path) -> None:
    folder = with_options(service_copy(tmp_path, "accesso-atti", 1), protocol_handler="external")
    make_tenant(app, "esterno", [folder])
    api = Api(app, "esterno")
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    client = logged_in(app, "op-esterno", tenant="esterno")
    html = client.get("/esterno/backoffice/protocollo", query_string={"state": "waiting"}).get_data(as_text=True)
    assert "1 registrazione trovata" in html and "In attesa del numero di protocollo" in html
    assert "<th scope=\"row\">—</th>" in html and "Scarica PDF" in html


def test_csv_export_follows_the_filters_and_is_formula_safe(app: Flask, api: Api) -> None:
    rejected = _rejected(api)
    application, outcome = _registrations(app, rejected)
    client = logged_in(app, "manager")
    response = client.get(f"{PAGE}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    assert lines[0].split(";") == ["Numero", "Anno", "Data di protocollo", "Fase", "Direzione", "Servizio",
                                   "ID pratica", "Stato", "Identificativo del documento"]
    assert len(lines) == 3 and lines[1].startswith(f"{outcome.number};{outcome.year};")
    assert ";Esito;In uscita;Richiesta di accesso agli atti;" in lines[1] and rejected in lines[1]
    assert ";Domanda;In entrata;" in lines[2] and lines[2].endswith(";Protocollata;" + (application.document_id or ""))
    only = client.get(f"{PAGE}/export.csv", query_string={"stage": "application"}).get_data(as_text=True)
    assert len(only.strip().split("\r\n")) == 2
    with app.app_context(), unit_of_work():
        db.session.get(ProtocolRegistration, outcome.id).document_id = "=HYPERLINK(\"http://x\")"
    risky = client.get(f"{PAGE}/export.csv", query_string={"stage": "outcome"}).get_data(as_text=True)
    assert ';"\'=HYPERLINK' in risky  # quoted by the CSV writer, neutralised by the apostrophe


def test_each_user_sees_the_registrations_of_what_they_may_see(app: Flask, api: Api, tmp_path: Path) -> None:
    rejected = _rejected(api)
    add_staff(app, "solosuolo", services=["occupazione-suolo"])
    assert "0 registrazioni trovate" in logged_in(app, "solosuolo").get(PAGE).get_data(as_text=True)
    for user in ("operatore", "manager", "admin"):
        assert "2 registrazioni trovate" in logged_in(app, user).get(PAGE).get_data(as_text=True), user
    make_tenant(app, "altrove")
    elsewhere = logged_in(app, "op-altrove", tenant="altrove").get("/altrove/backoffice/protocollo")
    assert elsewhere.status_code == 200 and rejected not in elsewhere.get_data(as_text=True)
    anonymous = app.test_client().get(PAGE)
    assert anonymous.status_code == 302 and "/backoffice/login" in anonymous.headers["Location"]
    assert app.test_client().get(f"{PAGE}/export.csv").status_code == 302


def test_the_register_in_english(app: Flask, api: Api) -> None:
    _rejected(api)
    client = logged_in(app, "operatore")
    html = client.get(PAGE, query_string={"lang": "en"}).get_data(as_text=True)
    assert "Protocol register</h1>" in html and "2 registrations found" in html
    assert "Outcome" in html and "Outgoing" in html and "Registered</span>" in html and "Download PDF" in html
    header = client.get(f"{PAGE}/export.csv").get_data(as_text=True).lstrip("\ufeff").split("\r\n")[0]
    assert header.startswith("Number;Year;Registration date;Phase;Direction")
