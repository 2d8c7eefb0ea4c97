"""What the citizen hears about an application: one e-mail (and App IO message) per moment that matters
to them, counted step by step through the API, never an internal step or note, each linking to the
application's page; the ente chooses the moments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

import connectors
from tests.citizen.helpers import login
from tests.conftest import SIMULATORS, Api
from tests.webapp.helpers import MARIO, act, create, pay, status, submitted
from webapp.extensions import db
from webapp.models import Office, OutboxMessage, Tenant, User
from webapp.services.jobs import sweep

EMAIL = "mario.rossi@example.it"
CONTRIBUTO = "Richiesta di contributo economico"
ATTI = "Richiesta di accesso agli atti"
CDU = "Richiesta di certificato di destinazione urbanistica"
CDU_DATA = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": EMAIL,
            "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}


def received(service: str) -> str:
    return f"{service}: domanda ricevuta"


def taken(service: str) -> str:
    return f"{service}: pratica presa in carico"


def integration(service: str) -> str:
    return f"{service}: richiesta di integrazioni"


def outcome(service: str, label: str) -> str:
    return f"{service}: esito della pratica «{label}»"


def withdrawn(service: str) -> str:
    return f"{service}: ritiro della pratica confermato"


def payment_due(service: str, euro: str) -> str:
    return f"{service}: avviso di pagamento di € {euro}"


class Inbox:
    """The citizen's messages in the outbox (e-mail, or App IO by fiscal code), step by step."""

    def __init__(self, app: Flask, channel: str = "email") -> None:
        self.app, self.channel = app, channel
        self.recipient = EMAIL if channel == "email" else MARIO
        self.seen: dict[uuid.UUID, tuple[str, str]] = {}

    def new(self) -> list[str]:
        """Subjects of what arrived since the last look."""
        with self.app.app_context():
            rows = db.session.scalars(db.select(OutboxMessage).where(
                OutboxMessage.recipient == self.recipient, OutboxMessage.channel == self.channel)).all()
            fresh = {row.id: (row.subject, row.body) for row in rows if row.id not in self.seen}
        self.seen.update(fresh)
        return sorted(subject for subject, _ in fresh.values())

    def bodies(self) -> list[str]:
        self.new()
        return [body for _, body in self.seen.values()]


@pytest.fixture
def paid_by_checkout(live_server: str) -> None:
    """pagoPA's receipts reach the demo Comune's webhook (the simulator calls it when a card is paid)."""
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/demo/webhooks/pagopa"


def _payment_id(api: Api, app_id: str) -> str:
    [payment] = [p for p in api.get(f"/applications/{app_id}/payment", MARIO).get_json()
                 if p["status"] == "PAYMENT_PENDING"]
    return str(payment["id"])


def _office_id(app: Flask, name: str) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(Office.id).where(Office.name == name)))


def _user_id(app: Flask, username: str) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(User.id).where(User.username == username)))


def _set_moments(app: Flask, moments: list[str]) -> None:
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        tenant.settings = {**(tenant.settings or {}), "citizen_notifications": moments}
        db.session.commit()


def test_without_protocol_one_email_per_moment(app: Flask, api: Api) -> None:
    inbox = Inbox(app)
    app_id = submitted(api, "contributo")  # 1900 Inviata -> 2000 Acquisita, the receipt by a worker
    assert inbox.new() == [received(CONTRIBUTO)]
    act(api, app_id, "assign", "operatore")
    assert inbox.new() == [taken(CONTRIBUTO)]
    act(api, app_id, "request-integration", "operatore", {"message": "Allegare l'ISEE aggiornato"})
    assert inbox.new() == [integration(CONTRIBUTO)]  # 4100 -> 4200 in one step, the request's text inside
    act(api, app_id, "submit", MARIO, {"message": "Ecco l'ISEE"})
    assert inbox.new() == []  # the citizen's own answer going back to the office (4300 -> 4000)
    act(api, app_id, "accept", "operatore", {"message": "Contributo concesso"})
    assert inbox.new() == [outcome(CONTRIBUTO, "Approvata")]  # the motivation is in it: no second e-mail
    bodies = "\n".join(inbox.bodies())
    assert "Allegare l'ISEE aggiornato" in bodies and "Contributo concesso" in bodies


def test_with_protocol_the_automatic_steps_are_silent(app: Flask, api: Api) -> None:
    inbox = Inbox(app)
    app_id = submitted(api, "accesso-atti")  # 1900 -> 2000 -> 3000 Protocollata, two workers' steps
    assert status(api, app_id) == 3000
    assert inbox.new() == [received(ATTI)]
    act(api, app_id, "assign", "operatore")
    assert inbox.new() == [taken(ATTI)]
    act(api, app_id, "request-integration", "operatore", {"message": "Manca la copia del documento"})
    assert status(api, app_id) == 4200  # the request was protocolled by a worker in between
    assert inbox.new() == [integration(ATTI)]
    act(api, app_id, "submit", MARIO, {"message": "Ecco il documento"})
    assert status(api, app_id) == 4500
    assert inbox.new() == []
    act(api, app_id, "accept", "operatore", {"message": "Solo visione", "is_partial": True})
    assert status(api, app_id) == 7100  # through 6000, waiting for the outcome's protocol
    assert inbox.new() == [outcome(ATTI, "Parzialmente approvata")]
    bodies = "\n".join(inbox.bodies())
    assert "Manca la copia del documento" in bodies and "Solo visione" in bodies


@pytest.mark.parametrize("service", ["contributo", "accesso-atti"])
def test_rejection_is_told_once_at_the_final_state(app: Flask, api: Api, service: str) -> None:
    app_id = submitted(api, service)
    act(api, app_id, "assign", "operatore")
    inbox = Inbox(app)
    inbox.new()
    act(api, app_id, "reject", "operatore", {"message": "Requisiti non soddisfatti"})
    assert status(api, app_id) == 9000
    name = CONTRIBUTO if service == "contributo" else ATTI
    assert inbox.new() == [outcome(name, "Rifiutata")]
    assert any("Requisiti non soddisfatti" in body for body in inbox.bodies())


def test_withdrawal_is_confirmed(app: Flask, api: Api) -> None:
    app_id = submitted(api, "contributo")
    inbox = Inbox(app)
    inbox.new()
    act(api, app_id, "withdraw", MARIO)
    assert inbox.new() == [withdrawn(CONTRIBUTO)]


def test_a_protocolled_withdrawal_is_confirmed_once(app: Flask, api: Api) -> None:
    app_id = submitted(api, "accesso-atti")
    act(api, app_id, "assign", "operatore")
    inbox = Inbox(app)
    inbox.new()
    act(api, app_id, "withdraw", MARIO, {"message": "Non mi serve più"})
    assert status(api, app_id) == 20000  # after the withdrawal's registration, by a worker in between
    assert inbox.new() == [withdrawn(ATTI)]
    steps = [(h["status_code"], h["event"], h["message"]) for h in api.get(f"/applications/{app_id}/history",
                                                                              MARIO).get_json()]
    assert ("4000", "withdrawn", "Non mi serve più") in steps and steps[-1][:2] == ("20000",
                                                                                   "protocol_register_withdrawal")


def test_payment_at_request_of_the_cdu(app: Flask, api: Api, paid_by_checkout: None) -> None:
    inbox, io = Inbox(app), Inbox(app, "app_io")
    app_id = create(api, "cdu", CDU_DATA)["id"]
    act(api, app_id, "submit", MARIO)
    assert status(api, app_id) == 1500
    assert inbox.new() == io.new() == [payment_due(CDU, "50,00")]
    assert pay(api, [_payment_id(api, app_id)], connectors.simulators.SUCCESS_CARD) == 303
    assert status(api, app_id) == 3000  # paid 1520 -> 1900, then receipt 2000 and protocol 3000 by workers
    assert inbox.new() == io.new() == [received(CDU)]  # App IO follows the same moments


def test_deferred_payment_at_approval(app: Flask, api: Api, paid_by_checkout: None) -> None:
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    inbox = Inbox(app)
    inbox.new()
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 5000}})
    assert status(api, app_id) == 1500
    assert inbox.new() == [payment_due(CONTRIBUTO, "50,00")]  # the outcome waits for the payment
    assert pay(api, [_payment_id(api, app_id)], connectors.simulators.SUCCESS_CARD) == 303
    assert status(api, app_id) == 7000
    assert inbox.new() == [outcome(CONTRIBUTO, "Approvata")]
    assert any("Concesso" in body for body in inbox.bodies())  # the motivation, with the outcome


def test_stamps_due_at_approval_are_asked_for_once(app: Flask, api: Api) -> None:
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    inbox = Inbox(app)
    inbox.new()
    act(api, app_id, "accept", "operatore", {"stamps": [{"reason": "Bollo sul rilascio"}]})
    assert inbox.new() == [payment_due(CONTRIBUTO, "16,00")]
    assert any("Bollo sul rilascio" in body for body in inbox.bodies())


def test_an_expired_notice_is_told_once(app: Flask, api: Api) -> None:
    inbox = Inbox(app)
    app_id = create(api, "cdu", CDU_DATA)["id"]
    act(api, app_id, "submit", MARIO)
    assert inbox.new() == [payment_due(CDU, "50,00")]
    with app.app_context():
        assert sweep(datetime.now(UTC) + timedelta(days=31)).timers_fired == 1
    assert status(api, app_id) == 1530
    assert inbox.new() == [f"{CDU}: termine di pagamento scaduto"]


def test_assignment_notes_never_reach_the_citizen(app: Flask, api: Api) -> None:
    inbox, io = Inbox(app), Inbox(app, "app_io")
    app_id = create(api, "cdu", CDU_DATA)["id"]  # the demo CDU also writes on App IO
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "complete-payment", "operatore", {"message": "Pagato allo sportello"})
    social = _office_id(app, "Ufficio Servizi Sociali")
    act(api, app_id, "assign", "manager", {"office_id": social})  # "Assegnata a ufficio Ufficio Servizi Sociali"
    act(api, app_id, "assign", "admin", {"operator_id": _user_id(app, "operatore")})  # reassigned
    act(api, app_id, "assign", "manager", {"take_over": True})  # taken over
    for text in inbox.bodies() + io.bodies():
        assert "Assegnata" not in text and "Messaggio dell'ufficio" not in text, text
        assert "Pagato allo sportello" not in text  # the payment's private note neither
    assert sorted(s for s, _ in inbox.seen.values()) == sorted(s for s, _ in io.seen.values()) == sorted(
        [payment_due(CDU, "50,00"), received(CDU), taken(CDU)])  # reassignment and take-over are silent


def test_every_email_links_to_the_application(app: Flask, api: Api, paid_by_checkout: None) -> None:
    inbox = Inbox(app)
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Allegare l'ISEE"})
    api.post(f"/applications/{app_id}/messages", "operatore", json={"message": "Grazie, attendiamo"})
    act(api, app_id, "submit", MARIO, {"message": "Ecco l'ISEE"})
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 2000}})
    pay(api, [_payment_id(api, app_id)], connectors.simulators.SUCCESS_CARD)
    page = f"{app.config['PUBLIC_URL'].rstrip('/')}/demo/pratiche/{app_id}"
    bodies = inbox.bodies()
    client = app.test_client()
    login(client, MARIO)
    for body in bodies:
        [link] = [word for word in body.split() if word.startswith("http")]
        assert link.split("#")[0] == page, body
        shown = client.get(urlsplit(link).path)
        assert shown.status_code == 200 and app_id in shown.get_data(as_text=True)
    assert len(bodies) == 6  # received, taken, integration, the office's message, payment due, outcome


def test_the_ente_chooses_the_moments(app: Flask, api: Api, paid_by_checkout: None) -> None:
    _set_moments(app, ["outcome"])
    inbox = Inbox(app)
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 2000}})
    assert inbox.new() == []  # neither received, nor taken in charge, nor payment due
    pay(api, [_payment_id(api, app_id)], connectors.simulators.SUCCESS_CARD)
    assert inbox.new() == [outcome(CONTRIBUTO, "Approvata")]

    _set_moments(app, [])
    other = submitted(api, "contributo")
    act(api, other, "withdraw", MARIO)
    assert inbox.new() == []


def _demo_settings(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return dict(db.session.scalar(db.select(Tenant.settings).where(Tenant.slug == "demo")) or {})


def test_without_the_setting_every_moment_is_on(app: Flask, api: Api) -> None:
    assert "citizen_notifications" not in _demo_settings(app)
    inbox = Inbox(app)
    app_id = submitted(api, "contributo")
    act(api, app_id, "withdraw", MARIO)
    assert inbox.new() == sorted([received(CONTRIBUTO), withdrawn(CONTRIBUTO)])
