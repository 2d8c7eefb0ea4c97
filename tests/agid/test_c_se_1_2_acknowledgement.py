"""C.SE.1.2, acknowledgement of submission (ui.md §4, item 2).

"The submission is notified in the Area personale **and** on at least one more channel (email, SMS, App
IO). *Test: submit, then assert an Area personale message and an outbox email row.*"

The message comes from the ente, names the application's number, the date and links to the application;
it is posted exactly once per submission, on the standard lifecycle and on a service with its own process.
"""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from tests.citizen.helpers import login
from tests.conftest import DESKTOP_AND_PHONE, Api, assert_accessible
from tests.webapp.helpers import MARIO, act, create, submitted
from webapp.extensions import db
from webapp.models import Message, OutboxMessage, Tenant
from webapp.services.common import localtime

EMAIL = "mario.rossi@example.it"
ACK = "Domanda ricevuta"
SEGNALAZIONE = {"privacy": True, "categoria": "buca_stradale", "descrizione": "Una buca davanti al civico 3",
                "luogo": "Via Roma 3"}


def _segnalazione(api: Api) -> str:
    app_id = create(api, "segnalazione", SEGNALAZIONE)["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def _ente(app: Flask) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(Tenant.name).where(Tenant.slug == "demo")))


def _acknowledgements(app: Flask, app_id: str) -> list[Message]:
    with app.app_context():
        return list(db.session.scalars(db.select(Message).where(
            Message.application_id == uuid.UUID(app_id), Message.subject == ACK)))


def _received_emails(app: Flask, app_id: str) -> list[OutboxMessage]:
    with app.app_context():
        return [row for row in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.application_id == uuid.UUID(app_id), OutboxMessage.recipient == EMAIL,
            OutboxMessage.channel == "email")) if row.subject.endswith(": domanda ricevuta")]


def _cards(html: str, app_id: str) -> list[str]:
    """The Area personale's message cards about `app_id` (each links to its application)."""
    cards = re.findall(r'<div class="card card-bg mb-3"><div class="card-body">(.*?)</div></div>', html, re.S)
    return [card for card in cards if f"/demo/pratiche/{app_id}" in card]


def _assert_acknowledged(app: Flask, app_id: str) -> None:
    client = app.test_client()
    login(client)
    ente, today = _ente(app), localtime.today().strftime("%d/%m/%Y")
    area = client.get("/demo/area-personale/messaggi").get_data(as_text=True)
    [card] = [c for c in _cards(area, app_id) if ACK in c]
    assert ente in card and app_id in card and today in card  # from the ente, with the number and the date
    assert f"/demo/pratiche/{app_id}" in card  # the link to the application
    detail = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    messages = detail.split('id="messaggi"', 1)[1].split("</section>", 1)[0]
    assert messages.count(ACK) == 1 and ente in messages
    [email] = _received_emails(app, app_id)  # the second channel
    assert app_id in email.body and f"/demo/pratiche/{app_id}" in email.body


def test_c_se_1_2_standard_lifecycle_acknowledges_once(app: Flask, api: Api) -> None:
    app_id = submitted(api, "accesso-atti")  # 1900 -> 2000 -> 3000 by the workers: received once
    _assert_acknowledged(app, app_id)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Manca la copia del documento"})
    act(api, app_id, "submit", MARIO, {"message": "Ecco il documento"})
    act(api, app_id, "accept", "operatore", {"message": "Accolta"})
    assert len(_acknowledgements(app, app_id)) == 1  # an integration answer is no new submission
    assert len(_received_emails(app, app_id)) == 1


def test_c_se_1_2_own_process_acknowledges_once(app: Flask, api: Api) -> None:
    app_id = _segnalazione(api)  # its process has no text for the receipt: the acknowledgement's e-mail
    _assert_acknowledged(app, app_id)
    act(api, app_id, "assign", "manutentore")
    assert len(_acknowledgements(app, app_id)) == 1
    assert len(_received_emails(app, app_id)) == 1


def test_c_se_1_2_a_repeated_submit_is_acknowledged_once(app: Flask, api: Api) -> None:
    app_id = submitted(api, "contributo")
    again = api.post(f"/applications/{app_id}/transition/submit", MARIO, json={})
    assert again.status_code == 409
    assert len(_acknowledgements(app, app_id)) == 1
    assert len(_received_emails(app, app_id)) == 1  # the moments' own "domanda ricevuta", not a second one


def test_c_se_1_2_a_draft_is_not_acknowledged(app: Flask, api: Api) -> None:
    app_id = create(api, "accesso-atti", {"privacy": True})["id"]
    assert _acknowledgements(app, str(app_id)) == []


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_2_acknowledgement_in_the_area_personale(live_server: str, page, api: Api) -> None:
    app_id = submitted(api, "contributo")
    page.goto(f"{live_server}/demo/accedi")
    page.get_by_role("link", name="Entra con SPID").click()
    page.locator(f'label[for="id-{MARIO}"]').click()  # the test identity provider's radio list
    page.get_by_role("button", name="Accedi").click()
    page.goto(f"{live_server}/demo/area-personale/messaggi")
    card = page.locator(".card", has=page.locator(f'a[href$="/pratiche/{app_id}#messaggi"]')).filter(has_text=ACK)
    assert card.count() == 1
    assert app_id in card.inner_text()
    assert_accessible(page)
    card.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/pratiche/{app_id}"))
    assert page.locator("#messaggi .card", has_text=ACK).count() == 1
    assert_accessible(page)
