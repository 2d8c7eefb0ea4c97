"""One clock for people: every moment shown, counted or cut into days on Europe/Rome time, daylight
saving included, in pages, e-mails, the receipt PDF and exports (stored moments are UTC)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import login
from tests.webapp.helpers import MARIO, act, create, submitted
from webapp.extensions import db
from webapp.models import Application, Attachment, Message, OutboxMessage, Payment, StatusChange
from webapp.services import screens
from webapp.services.common import formatting, localtime
from webapp.services.common.uow import unit_of_work
from webapp.services.jobs import render_receipt
from webapp.services.outbound import register_document

# 22:30 UTC on 31 March 2026 is 00:30 on 1 April in Rome (summer time began on 29 March).
NEAR_MIDNIGHT = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
SHOWN = "01/04/2026 00:30"
WRONG = "31/03/2026 22:30"


@pytest.mark.parametrize(("moment", "shown"), [
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29/03/2026 01:59"),  # the last minute of winter time
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29/03/2026 03:00"),  # clocks jump from 02:00 to 03:00
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25/10/2026 02:30"),  # 02:30 summer time...
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25/10/2026 02:30"),  # ...and again in winter time
    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "01/01/2027 00:30"),
    (datetime(2026, 3, 31, 22, 30), SHOWN),  # SQLite hands back naive UTC moments
])
def test_moments_are_shown_on_rome_time(moment: datetime, shown: str) -> None:
    assert formatting.datetime_text(moment) == shown


def test_days_are_rome_days() -> None:
    assert formatting.date_text(NEAR_MIDNIGHT) == "01/04/2026"
    assert localtime.local_day(datetime(2026, 7, 1, 21, 59, tzinfo=UTC)) == date(2026, 7, 1)
    assert localtime.local_day(datetime(2026, 7, 1, 22, 0, tzinfo=UTC)) == date(2026, 7, 2)
    start, end = localtime.day_bounds(date(2026, 3, 29))
    assert (start, end - start) == (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), end - start)
    assert (end - start).total_seconds() == 23 * 3600  # the day the clocks go forward is 23 hours long
    assert formatting.date_text("1980-01-31") == "31/01/1980"


def _stamp_everything(app: Flask, app_id: str, moment: datetime) -> None:
    """Move every moment of one application (and the whole outbox) to `moment`."""
    with app.app_context(), unit_of_work():
        row = db.session.get(Application, app_id)
        row.submitted_at = row.latest_status_change_at = moment
        for model in (StatusChange, Message, Attachment, Payment, OutboxMessage):
            for item in db.session.scalars(db.select(model).where(model.application_id == row.id)):
                item.created_at = moment
        for payment in db.session.scalars(db.select(Payment).where(Payment.application_id == row.id)):
            payment.paid_at = payment.expire_at = moment


@pytest.fixture
def cdu_near_midnight(app: Flask, api) -> str:
    """A CDU application with its fee, a message from the office and history, all at NEAR_MIDNIGHT."""
    data = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
            "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}
    app_id = create(api, "cdu", data)["id"]
    act(api, app_id, "submit", MARIO)
    assert api.post(f"/applications/{app_id}/messages", "operatore", json={"message": "Ricevuta"}).status_code == 201
    _stamp_everything(app, app_id, NEAR_MIDNIGHT)
    return str(app_id)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_citizen_pages_show_rome_time(app: Flask, cdu_near_midnight: str) -> None:
    client = app.test_client()
    login(client)
    detail = _page(client, f"/demo/pratiche/{cdu_near_midnight}")
    assert f"Presentata il {SHOWN}" in detail
    assert WRONG not in detail and "31/03/2026" not in detail  # timeline and messages too
    assert SHOWN in _page(client, "/demo/area-personale/messaggi")
    listing = _page(client, "/demo/area-personale")
    assert "01/04/2026" in listing and "31/03/2026" not in listing
    payments = _page(client, "/demo/area-personale/pagamenti")
    assert "01/04/2026" in payments and "31/03/2026" not in payments


def test_citizen_payments_filter_by_rome_day(app: Flask, cdu_near_midnight: str) -> None:
    client = app.test_client()
    login(client)
    shown = _page(client, "/demo/area-personale/pagamenti?dal=2026-04-01&al=2026-04-01")
    assert "€ 50,00" in shown
    hidden = _page(client, "/demo/area-personale/pagamenti?dal=2026-03-31&al=2026-03-31")
    assert "€ 50,00" not in hidden


def test_back_office_and_demo_mail_show_rome_time(app: Flask, cdu_near_midnight: str) -> None:
    client = logged_in(app, "operatore")
    for tab in ("iter", "messaggi", "pagamenti"):
        html = _page(client, f"/demo/backoffice/pratiche/{cdu_near_midnight}/{tab}")
        assert SHOWN in html and WRONG not in html, tab
    mail = _page(app.test_client(), "/demo/posta-demo")
    assert SHOWN in mail and WRONG not in mail


def test_exports_and_receipt_show_rome_time(app: Flask, cdu_near_midnight: str) -> None:
    client = logged_in(app, "operatore")
    csv = client.get("/demo/backoffice/pratiche/export.csv?service=cdu").get_data(as_text=True)
    assert SHOWN in csv and WRONG not in csv
    with app.app_context():
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
            render_receipt(db.session.get(Application, cdu_near_midnight)))).pages)
    assert f"Presentata il: {SHOWN}" in text


def test_payment_due_e_mail_gives_the_rome_day(app: Flask, api, cdu_near_midnight: str) -> None:
    with app.app_context():
        from webapp.services import outbound

        application = db.session.get(Application, cdu_near_midnight)
        [payment] = db.session.scalars(db.select(Payment).where(Payment.application_id == application.id))
        with unit_of_work():
            db.session.execute(db.delete(OutboxMessage))
            outbound.payment_due(application, [payment])
        bodies = [m.body for m in db.session.scalars(db.select(OutboxMessage))]
    assert bodies and all("01/04/2026" in body and "31/03/2026" not in body for body in bodies)


def test_protocol_numbers_and_yearly_counts_turn_at_rome_midnight(app: Flask, api) -> None:
    app_id = submitted(api, "contributo")
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Rome
    with app.app_context(), unit_of_work():
        application = db.session.get(Application, app_id)
        number = register_document(application, "in", "application", now=new_year)["protocol_number"]
        application.submitted_at = new_year
    assert number.startswith("2027/")
    with app.app_context():
        from webapp.models import Tenant, User

        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        assert (2027, 1) in screens.per_year(tenant, admin)
