"""Automatic assignment to offices, the Operatori section, and operators' e-mails on status changes."""

from __future__ import annotations

import html
import re

from tests.backoffice.conftest import SOCIAL, act, csrf, logged_in, publish_with_rules
from tests.webapp.helpers import act as api_act
from tests.webapp.helpers import contributo_data, submitted
from webapp.extensions import db
from webapp.models import Message, OutboxMessage, User

RULES = [{"field": "motivazione", "value": "Affitto", "office": SOCIAL}]


def test_rule_sends_the_application_to_an_office(app, api, tmp_path, other_staff):
    publish_with_rules(app, tmp_path, RULES)
    routed = submitted(api, "contributo", contributo_data(motivazione="affitto"))
    other = submitted(api, "contributo", contributo_data(motivazione="Spese mediche"))
    assert api.get(f"/applications/{routed}", "admin").get_json()["office"] == SOCIAL
    assert api.get(f"/applications/{other}", "admin").get_json()["office"] is None
    events = [h["event"] for h in api.get(f"/applications/{routed}/history", "admin").get_json()]
    assert "office_assigned" in events
    refused = api.post(f"/applications/{routed}/transition/assign", "operatore", json={})
    assert refused.status_code == 403 and SOCIAL in refused.get_json()["description"]
    client = logged_in(app, "operatore")
    assert "Prendi in carico" not in client.get(f"/demo/backoffice/pratiche/{routed}").get_data(as_text=True)
    sociale = logged_in(app, "sociale")
    assert sociale.get("/demo/backoffice/pratiche", query_string={"handling": "office"}).get_data(
        as_text=True).count(routed) >= 1
    act(sociale, routed, "take")
    assert api.get(f"/applications/{routed}", "admin").get_json()["operator"] == "Sociale Test"
    api_act(api, routed, "assign", "manager", {"operator_id": str(_user_id(app, "operatore"))})  # by hand
    assert api.get(f"/applications/{routed}", "admin").get_json()["operator"] == "Olivia Operatrice"


def _user_id(app, username: str):
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.username == username))


def test_operators_are_emailed_on_status_changes(app, api, other_staff):
    app_id = submitted(api, "contributo")
    api_act(api, app_id, "assign", "operatore")
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.application_id == app_id)).all()
    recipients = {(r.recipient, r.subject.split(":")[0]) for r in rows}
    assert ("operatore@demo.example.it", "Pratica Acquisita") in recipients
    assert ("sociale@demo.example.it", "Pratica Presa in carico") in recipients
    assert not any(r.recipient.startswith("atti@") for r in rows)  # not enabled for contributo
    assert not any("Inviata" in r.subject for r in rows if r.recipient.endswith("@demo.example.it"))


def test_operators_section_is_for_managers(app):
    assert logged_in(app, "operatore").get("/demo/backoffice/operatori").status_code == 404
    client = logged_in(app, "manager")
    html = client.get("/demo/backoffice/operatori?q=olivia").get_data(as_text=True)
    assert "Olivia Operatrice" in html and "Amministratore Demo" not in html


def test_create_edit_role_and_delete(app, api):
    client = logged_in(app, "manager")
    token = csrf(client, "/demo/backoffice/operatori/nuovo")
    bad = client.post("/demo/backoffice/operatori/nuovo", data={"csrf_token": token, "username": "Operatore",
                                                                 "name": "", "family_name": "X", "email": "no"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "già in uso" in body and 'aria-invalid="true"' in body
    response = client.post("/demo/backoffice/operatori/nuovo", data={
        "csrf_token": token, "username": "nuova.op", "name": "Nuova", "family_name": "Operatrice",
        "email": "nuova@demo.example.it"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "nuova.op"))
        invite = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == "nuova@demo.example.it"))
        assert user.role == "operator" and user.password_hash is None and "reimposta-password" in invite.body
        user_id = user.id
    edit = f"/demo/backoffice/operatori/{user_id}"
    page = client.get(edit).get_data(as_text=True)
    service_id = page.split('name="services" value="')[1].split('"')[0]
    client.post(edit, data={"csrf_token": token, "name": "Nuova", "family_name": "Operatrice",
                            "email": "nuova@demo.example.it", "services": [service_id]})
    with app.app_context():
        assert [str(s.id) for s in db.session.get(User, user_id).services] == [service_id]
    client.post(f"{edit}/ruolo", data={"csrf_token": token, "manager": "1", "confirm": "1"})
    with app.app_context():
        assert db.session.get(User, user_id).role == "manager"
    client.post(f"{edit}/ruolo", data={"csrf_token": token, "manager": "0", "confirm": "1"})
    client.post(f"{edit}/elimina", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(User, user_id) is None


def test_delete_refused_while_holding_applications(app, api):
    app_id = submitted(api, "contributo")
    api_act(api, app_id, "assign", "operatore")
    api.post(f"/applications/{app_id}/messages", "operatore", json={"message": "Presa in carico"})
    client = logged_in(app, "manager")
    token = csrf(client, "/demo/backoffice/operatori")
    operator_id = _user_id(app, "operatore")
    client.post(f"/demo/backoffice/operatori/{operator_id}/elimina", data={"csrf_token": token})
    html = client.get("/demo/backoffice/operatori").get_data(as_text=True)
    assert "ha in carico 1 pratiche" in html and app_id in html
    api_act(api, app_id, "reject", "operatore", {"message": "No"})
    client.post(f"/demo/backoffice/operatori/{operator_id}/elimina", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(User, operator_id) is None
        message = db.session.scalar(db.select(Message).where(Message.body == "Presa in carico"))
        assert message.author_id is None and message.author_name == "Olivia Operatrice"
    own = client.post(f"/demo/backoffice/operatori/{_user_id(app, 'manager')}/ruolo",
                      data={"csrf_token": token, "manager": "0", "confirm": "1"})
    assert own.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.username == "manager")) == "manager"


def test_rendi_manager_asks_first_even_without_javascript(app):
    client = logged_in(app, "manager")
    operator_id = _user_id(app, "operatore")
    role = f"/demo/backoffice/operatori/{operator_id}/ruolo"
    listed = client.get("/demo/backoffice/operatori").get_data(as_text=True)
    trigger = re.search(rf'<a [^>]*href="({role}[^"]*)"[^>]*data-bs-target="#([^"]+)"', listed)
    assert trigger, "no dialog trigger for Rendi manager"
    assert f'id="{trigger.group(2)}"' in listed and f'<form method="post" action="{role}"' in listed  # its dialog
    question = client.get(html.unescape(trigger.group(1)))  # the link without JavaScript: the question as a page
    assert question.status_code == 200 and "Rendi manager Olivia Operatrice" in question.get_data(as_text=True)
    token = csrf(client, "/demo/backoffice/operatori")
    bare = client.post(role, data={"csrf_token": token, "manager": "1"})  # not confirmed: asks, does not act
    assert bare.status_code == 200 and "potrà gestire gli operatori" in bare.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, operator_id).role == "operator"
    assert client.post(role, data={"csrf_token": token, "manager": "1", "confirm": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, operator_id).role == "manager"
