"""Appointments booked for an application (C.SE.2.2): linked once and only to the booker's own, booked from
any step of a service with its office preset and the way back, and following the application when it is
withdrawn or approved."""

from __future__ import annotations

import re

from tests.backoffice.conftest import csrf as staff_csrf
from tests.backoffice.conftest import logged_in
from tests.citizen.booking import BASE, DAY, book, meetings
from tests.citizen.helpers import MARIO, login
from tests.webapp.calendars import open_every_day
from webapp.extensions import db
from webapp.models import Meeting, OutboxMessage
from webapp.models.calendars import APPROVED, PENDING
from webapp.services import appointments


def test_booking_from_an_application_links_it_once(app, api):
    from tests.webapp.helpers import submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    detail = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert "Nessun appuntamento collegato a questa pratica." in detail
    assert f"pratica={app_id}" in detail
    offices = client.get(BASE, query_string={"pratica": app_id, "servizio": "contributo"}).get_data(as_text=True)
    assert f"collegato alla tua pratica «Richiesta di contributo economico» n. {app_id}" in offices
    book(app, client, calendar_id, email="mario.rossi@example.it")
    detail = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert "Confermato" in detail.split('id="h-appuntamenti"')[1].split("</section>")[0]
    assert "Prenota un appuntamento per questa pratica" not in detail  # one active appointment per application
    client.get(BASE, query_string={"pratica": app_id})
    second = book(app, client, calendar_id, start="09:30", email="mario.rossi@example.it")
    assert "/riepilogo" in second.headers["Location"]
    assert "La pratica ha già un appuntamento attivo" in client.get(second.headers["Location"]).get_data(
        as_text=True)
    tab = logged_in(app, "operatore").get(f"/demo/backoffice/pratiche/{app_id}/appuntamenti")
    assert tab.status_code == 200 and "Confermato" in tab.get_data(as_text=True)


def test_someone_elses_application_is_never_linked(app, api):
    from tests.webapp.helpers import submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")  # Mario's
    client = app.test_client()
    login(client, "VRDGPP85M41F205X")
    offices = client.get(BASE, query_string={"pratica": app_id}).get_data(as_text=True)
    assert "collegato alla tua pratica" not in offices
    book(app, client, calendar_id)
    with app.app_context():
        assert db.session.scalar(db.select(Meeting.application_id)) is None


def test_withdrawing_the_application_cancels_its_future_appointment(app, api):
    from tests.webapp.helpers import act, submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    client.get(BASE, query_string={"pratica": app_id})
    link = book(app, client, calendar_id, email="mario.rossi@example.it").headers["Location"].split("?")[0]
    act(api, app_id, "withdraw", MARIO)
    page = client.get(link).get_data(as_text=True)
    assert "Annullato" in page and "La pratica è stata ritirata." in page
    with app.app_context():
        subjects = [m.subject for m in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "mario.rossi@example.it"))]
    assert any(s.endswith("appuntamento annullato") for s in subjects)
    slots = client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{DAY.isoformat()}").get_json()
    assert slots[0]["slots_available"] == 3  # the place is free again


def test_approving_the_application_confirms_its_pending_appointment(app, api):
    from tests.webapp.helpers import act, submitted

    calendar_id = open_every_day(app, moderated=True)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    client.get(BASE, query_string={"pratica": app_id})
    book(app, client, calendar_id, email="mario.rossi@example.it")
    assert meetings(app)[0][0] == PENDING
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso"})
    assert meetings(app)[0][0] == APPROVED


def test_booking_from_a_step_presets_the_office_and_leads_back(app, api):
    """From a step of a service: the office handling it preselected, an unknown one refused at the field,
    and the confirmation with what to bring (set in the back office), the office card and the rating."""
    from tests.webapp.helpers import contributo_data, create
    from webapp.models import Office, Service

    calendar_id = open_every_day(app)
    with app.app_context():
        calendar = db.session.get(appointments.Calendar, calendar_id)
        office = db.session.get(Office, calendar.office_id)
        office.services = [*office.services, db.session.scalar(db.select(Service).where(Service.slug == "contributo"))]
        db.session.commit()
    operator = logged_in(app, "operatore")  # enabled for the URP calendar
    form = f"/demo/backoffice/calendari/{calendar_id}"
    with app.app_context():  # the form as shown, checkboxes as a browser sends them
        shown = appointments.form_values(db.session.get(appointments.Calendar, calendar_id))
    values = {k: ("on" if v is True else v) for k, v in shown.items() if v is not False}
    too_long = operator.post(form, data={**values, "csrf_token": staff_csrf(operator, form),
                                         "what_to_bring": "x" * 2001})
    assert too_long.status_code == 400 and "al massimo 2000 caratteri" in too_long.get_data(as_text=True)
    saved = operator.post(form, data={**values, "csrf_token": staff_csrf(operator, form),
                                      "what_to_bring": "Carta d'identità e ISEE"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    app_id = create(api, "contributo", contributo_data())["id"]
    client = app.test_client()
    login(client, MARIO)
    step = f"/demo/pratiche/{app_id}/riepilogo"
    link = re.search(r'href="([^"]+)" data-element="appointment-booking"', client.get(step).get_data(as_text=True))
    assert link, "no booking link on the step"
    start = link.group(1).replace("&amp;", "&")
    assert "servizio=contributo" in start and f"pratica={app_id}" in start
    offices = client.get(start).get_data(as_text=True)
    assert re.search(rf'value="{calendar_id}" checked', offices) and "Ufficio del servizio" in offices
    assert f'href="{step}"' in offices  # the way back to the step, on every booking step
    wrong = client.get(BASE, query_string={"ufficio": "nessuno", "tutti": "1"})
    assert wrong.status_code == 400 and "Scegli l&#39;ufficio presso cui prenotare." in wrong.get_data(as_text=True)
    done = book(app, client, calendar_id, email="mario.rossi@example.it")
    assert "torna=" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Cosa serve" in page and "Carta d&#39;identità e ISEE" in page
    assert 'data-element="office-card"' in page and "Piazza del Municipio 1" in page and "urp@demo.example.it" in page
    assert "dalle 09:00 alle 10:00" in page
    assert 'data-element="feedback"' in page and 'name="flow" value="prenotazione"' in page
    assert f'href="{step}"' in page
    evil = client.get(BASE, query_string={"torna": "https://evil.example/"}).get_data(as_text=True)
    assert "evil.example" not in evil
