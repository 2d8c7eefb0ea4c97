"""E-mail notifications through the outbox to a real SMTP server (an aiosmtpd sink on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api, app_config
from tests.webapp.helpers import GIUSEPPINA, MARIO, act, contributo_data, submitted
from tests.webapp.smtp_sink import Sink, start_sink
from tests.webapp.workers import free_port
from webapp.app import create_app
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.outbound import deliver


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def sink(smtp_port: int) -> Iterator[Sink]:
    handler, controller = start_sink(smtp_port)
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(app: Flask, make_app: Any, smtp_port: int) -> Flask:
    return make_app(MAIL_BACKEND="smtp", MAIL_PORT=smtp_port)


def test_the_moments_and_office_messages_reach_the_citizen(mail_app: Flask, sink: Sink) -> None:
    api = Api(mail_app)
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    note = {"message": "Nota interna", "visibility": "internal"}
    api.post(f"/applications/{app_id}/messages", "operatore", json=note)
    api.post(f"/applications/{app_id}/messages", "operatore", json={"message": "Ci serve l'ISEE 2026"})
    act(api, app_id, "request-integration", "operatore", {"message": "Allegare l'ISEE aggiornato"})

    citizen = [m for m in sink.messages if m["To"] == "mario.rossi@example.it"]
    assert sorted(m["Subject"].removeprefix("Richiesta di contributo economico: ") for m in citizen) == [
        "domanda ricevuta", "nuovo messaggio sulla tua pratica", "pratica presa in carico",
        "richiesta di integrazioni"]
    bodies = "\n".join(m.get_content() for m in citizen)
    assert "Ci serve l'ISEE 2026" in bodies            # the operator's message, with its text
    assert "Allegare l'ISEE aggiornato" in bodies      # the integration request carries the reason
    assert "Nota interna" not in bodies                 # private notes never leave the office
    assert len({m["Message-ID"] for m in sink.messages}) == len(sink.messages)


def test_undelivered_mail_stays_in_the_outbox_and_goes_out_once_later(app: Flask, database_url: str,
                                                                      storage_dir: Path) -> None:
    down_port = free_port()  # nothing listens here: the SMTP server is "down"
    flask_app = create_app(app_config(database_url, storage_dir, MAIL_BACKEND="smtp", MAIL_PORT=down_port))
    api = Api(flask_app)
    app_id = submitted(api, "contributo")
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "2000"  # the change itself committed
    with flask_app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage)).all()
        assert rows and all(r.status == "pending" and r.attempts == 1 for r in rows)
        ids = [str(r.id) for r in rows]
    handler, controller = start_sink(down_port)
    try:
        with flask_app.app_context():
            assert [deliver(i) for i in ids] == ["sent"] * len(ids)
            assert [deliver(i) for i in ids] == ["skipped"] * len(ids)  # a second relay finds them sent
    finally:
        controller.stop()
        with flask_app.app_context():
            db.engine.dispose()
    assert len(handler.messages) == len(ids)


def test_demo_mail_page_shows_captured_mail(app: Flask, api: Api) -> None:
    submitted(api, "contributo")
    page = app.test_client().get("/demo/posta-demo")
    assert page.status_code == 200
    assert "mario.rossi@example.it" in page.get_data(as_text=True)


def test_tenant_texts_and_the_citizens_language(app: Flask, api: Api) -> None:
    from webapp.models import Tenant, User

    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        tenant.settings = {**tenant.settings, "email_templates": {
            "status_change.2000.it": "Pratica {{ app.id }} acquisita dal Comune\nCaro {{ app.applicant_name }}, "
                                     "la tua pratica è {{ label(change.status) }}. {{ ''.__class__ }}"}}
        giuseppina = db.session.scalar(db.select(User).where(User.fiscal_code == "VRDGPP85M41F205X"))
        giuseppina.identity = {**(giuseppina.identity or {}), "language": "en"}
        db.session.commit()
    mario_app = submitted(api, "contributo")
    # Her own address in the form (the form's contacts become the profile's, once only).
    submitted(api, "contributo", contributo_data(nome="Giuseppina", cognome="Verdi", codice_fiscale=GIUSEPPINA,
                                                 email="giuseppina.verdi@example.it"), user=GIUSEPPINA)
    with app.app_context():
        rows = {(r.recipient, r.subject): r.body for r in db.session.scalars(db.select(OutboxMessage))}
    own = rows[("mario.rossi@example.it", f"Pratica {mario_app} acquisita dal Comune")]
    assert "Caro Mario Rossi, la tua pratica è Acquisita." in own  # the ente's own text, sandboxed
    assert "class" not in own  # attribute tricks render nothing in the sandbox
    english = [subject for (to, subject) in rows if to == "giuseppina.verdi@example.it"]
    assert english == ["Richiesta di contributo economico: application received"]  # her language, not ours
    act(api, mario_app, "withdraw", MARIO)  # a moment the ente did not rewrite: our Italian text
    with app.app_context():
        assert db.session.scalar(db.select(OutboxMessage.subject).where(OutboxMessage.subject.like("%ritiro%"))) == (
            "Richiesta di contributo economico: ritiro della pratica confermato")
