"""The sandbox pages: administrators start and walk a run, managers look, everyone else gets a 404."""

from __future__ import annotations

import json
import re

from tests.backoffice.conftest import TOKEN, logged_in
from tests.workshop.helpers import other_ente
from webapp.extensions import db
from webapp.models import Application, OutboxMessage, SandboxRun, Tenant, User
from webapp.services import workshop
from webapp.services.common.uow import unit_of_work

SLUG = "prova-pagine"
BASE = f"/demo/backoffice/gestione-servizi/{SLUG}/prova"


def _blank(app) -> None:
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        admin = db.session.scalar(db.select(User).where(User.username == "admin", User.tenant_id == tenant.id))
        with unit_of_work():
            workshop.create_service(tenant, admin, SLUG, "Servizio delle pagine")


def _token(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def _start(client) -> str:
    response = client.post(BASE, data={"csrf_token": _token(client, BASE), "privacy": "true",
                                       "richiesta": "Una richiesta di prova"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_an_administrator_walks_a_run_to_its_end(app):
    _blank(app)
    client = logged_in(app, "admin")
    page = client.get(BASE).get_data(as_text=True)
    assert "Prova il servizio" in page and 'name="richiesta"' in page and 'name="csrf_token"' in page
    bad = client.post(BASE, data={"csrf_token": _token(client, BASE), "richiesta": ""})
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.get_data(as_text=True)
    run_url = _start(client)
    html = client.get(run_url).get_data(as_text=True)
    assert "Decidi la domanda" in html and "L&#39;ufficio a cui è assegnata la pratica" in html
    assert "Presa in carico" in html and "Generazione della ricevuta della domanda" in html and "simulato" in html
    assert "Compila la domanda" in html  # the path so far, as a list
    task_action = re.search(r'action="([^"]+/attivita/[^"]+)"', html).group(1)  # type: ignore[union-attr]
    token = TOKEN.search(html).group(1)  # type: ignore[union-attr]
    refused = client.post(task_action, data={"csrf_token": token, "motivazione": "x"})
    assert refused.status_code == 422 and "Scegli una di" in refused.get_data(as_text=True)
    done = client.post(task_action, data={"csrf_token": token, "action": "respinta", "motivazione": "No."})
    assert done.status_code == 302
    html = client.get(run_url).get_data(as_text=True)
    assert 'id="stato-attuale">Rifiutata<' in html and "il processo è terminato" in html
    bpmn = client.get(run_url + "/processo.bpmn")
    assert bpmn.status_code == 200 and bpmn.mimetype == "application/xml" and b"ut_outcome" in bpmn.data
    # discarding asks first: a bare POST shows the question
    asked = client.post(run_url + "/elimina", data={"csrf_token": token})
    assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.get_data(as_text=True)
    gone = client.post(run_url + "/elimina", data={"csrf_token": token, "confirm": "1"})
    assert gone.status_code == 302 and client.get(run_url).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SandboxRun)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_a_post_without_csrf_is_refused(app):
    _blank(app)
    client = logged_in(app, "admin")
    assert client.post(BASE, data={"privacy": "true", "richiesta": "x"}).status_code == 400


def test_a_manager_looks_without_buttons(app):
    _blank(app)
    run_url = _start(logged_in(app, "admin"))
    manager = logged_in(app, "manager")
    index = manager.get(BASE)
    assert index.status_code == 200 and 'name="richiesta"' not in index.get_data(as_text=True)
    html = manager.get(run_url).get_data(as_text=True)
    assert "Decidi la domanda" in html and "/attivita/" not in html and "Elimina la prova" not in html
    token = _token(manager, run_url)
    assert manager.post(BASE, data={"csrf_token": token, "privacy": "true", "richiesta": "x"}).status_code == 403
    assert manager.post(run_url + "/elimina", data={"csrf_token": token, "confirm": "1"}).status_code == 403


def test_operators_and_other_entes_get_a_404(app):
    _blank(app)
    run_url = _start(logged_in(app, "admin"))
    operator = logged_in(app, "operatore")
    assert operator.get(BASE).status_code == 404
    assert operator.get(run_url).status_code == 404
    other_ente(app)
    elsewhere = logged_in(app, "admin-altrove", tenant="altrove")
    assert elsewhere.get(run_url.replace("/demo/", "/altrove/")).status_code == 404
    assert elsewhere.get(BASE.replace("/demo/", "/altrove/")).status_code == 404


def test_the_main_form_redraws_a_field_shown_only_for_some_answer(app):
    _blank(app)
    document = {
        "title": "Domanda", "schema": {
            "type": "object", "additionalProperties": False, "required": ["privacy", "zona"],
            "properties": {"privacy": {"type": "boolean", "const": True, "title": "Privacy"},
                           "zona": {"type": "string", "enum": ["centro", "altro"], "title": "Zona"},
                           "nulla_osta": {"type": "string", "maxLength": 50, "title": "Nulla osta"}},
            "allOf": [{"if": {"properties": {"zona": {"const": "centro"}}, "required": ["zona"]},
                       "then": {"required": ["nulla_osta"]}}]},
        "ui": {"widgets": {"privacy": "checkbox", "zona": "radio"}}}
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        admin = db.session.scalar(db.select(User).where(User.username == "admin", User.tenant_id == tenant.id))
        with unit_of_work():
            workshop.save_file(tenant, admin, SLUG, "forms/domanda.json", json.dumps(document), revision=None)
    client = logged_in(app, "admin")
    page = client.get(BASE).get_data(as_text=True)
    assert 'name="nulla_osta"' not in page and f'hx-post="{BASE}/anteprima"' in page
    assert 'id="prova-f-zona" hx-preserve' in page  # always there: kept as typed across redraws
    token = _token(client, BASE)
    centre = client.post(BASE + "/anteprima", data={"csrf_token": token, "zona": "centro"})
    assert centre.status_code == 200
    html = centre.get_data(as_text=True)
    assert 'id="prova-f-nulla-osta">' in html and 'name="nulla_osta"' in html  # redrawn, not preserved
    assert 'error' not in html.split('id="prova-f-nulla-osta"')[1][:400]  # no errors while answering
    other = client.post(BASE + "/anteprima", data={"csrf_token": token, "zona": "altro"}).get_data(as_text=True)
    assert 'name="nulla_osta"' not in other
    manager = logged_in(app, "manager")
    assert manager.post(BASE + "/anteprima", data={"csrf_token": _token(manager, BASE), "zona": "centro"}
                        ).status_code == 403
