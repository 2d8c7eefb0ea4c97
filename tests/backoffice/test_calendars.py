"""Calendari: administrators create and delete, enabled operators edit, everyone on staff lists and
searches; managers enable operators for calendars; the public API reads them."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.backoffice.conftest import add_staff, csrf, logged_in
from tests.webapp.tenants import make_tenant
from webapp.extensions import db
from webapp.models import Calendar, User

LIST = "/demo/backoffice/calendari"
URP = "Ufficio Relazioni con il Pubblico"  # the demo's seeded calendar, run by "operatore"


def _form(**changes: Any) -> dict[str, Any]:
    form = {"title": "Ufficio Anagrafe", "type": "time_fixed_slots", "location": "Via Roma 2",
            "contact_email": "anagrafe@demo.example.it", "rolling_days": "60", "minimum_scheduling_notice": "48",
            "allow_cancel_days": "2", "drafts_minutes": "15", "drafts_increment_days": "5",
            "notify_operators": "1", "notify_citizens": "1"}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def _calendar(app: Flask, title: str) -> Calendar | None:
    with app.app_context():
        calendar = db.session.scalar(db.select(Calendar).where(Calendar.title == title))
        if calendar is not None:
            db.session.expunge(calendar)
        return calendar


def _post(client: Any, path: str, form: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, LIST), **form})


def test_administrator_creates_a_calendar_after_fixing_errors(app):
    admin = logged_in(app, "admin")
    bad = _post(admin, LIST + "/nuovo", _form(title="", rolling_days="mille", contact_email="non-una-mail"))
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Correggi 3 errori" in page and 'href="#title"' in page and 'href="#rolling_days"' in page
    assert 'value="non-una-mail"' in page  # what was typed is kept
    assert _calendar(app, "Ufficio Anagrafe") is None  # nothing saved
    taken = _post(admin, LIST + "/nuovo", _form(title=URP.upper()))
    assert taken.status_code == 400 and "Esiste già un calendario con questo titolo" in taken.get_data(as_text=True)
    assert _post(admin, LIST + "/nuovo", _form()).status_code == 302
    created = _calendar(app, "Ufficio Anagrafe")
    assert created is not None
    assert (created.rolling_days, created.minimum_scheduling_notice, created.allow_cancel_days) == (60, 48, 2)
    assert (created.drafts_duration, created.drafts_duration_increment) == (900, 5 * 86_400)
    assert created.notify_citizens and not created.is_moderated
    listed = admin.get(LIST).get_data(as_text=True)
    assert "Calendario «Ufficio Anagrafe» creato." in listed and "Via Roma 2" in listed
    found = admin.get(LIST, query_string={"q": "anagr"}).get_data(as_text=True)
    assert "Ufficio Anagrafe" in found and URP not in found.split("<tbody>")[1]
    assert "Nessun calendario trovato." in admin.get(LIST, query_string={"q": "zzz"}).get_data(as_text=True)


def test_only_enabled_operators_edit_and_only_administrators_create_or_delete(app):
    add_staff(app, "altro-op")
    urp = _calendar(app, URP)
    assert urp is not None
    outsider = logged_in(app, "altro-op")
    view = outsider.get(f"{LIST}/{urp.id}").get_data(as_text=True)
    assert "Puoi consultare questo calendario" in view and "<fieldset disabled>" in view
    refused = _post(outsider, f"{LIST}/{urp.id}", _form(title="Preso in prestito"))
    assert refused.status_code == 302 and _calendar(app, URP) is not None
    assert "Puoi modificare solo i calendari per cui sei abilitata/o." in outsider.get(
        f"{LIST}/{urp.id}").get_data(as_text=True)
    assert _post(outsider, LIST + "/nuovo", _form()).status_code == 302 and _calendar(app, "Ufficio Anagrafe") is None
    assert _post(outsider, f"{LIST}/{urp.id}/elimina", {}).status_code == 302 and _calendar(app, URP) is not None

    operatore = logged_in(app, "operatore")  # enabled for the URP calendar by the demo seed
    assert "Modifica" in operatore.get(LIST).get_data(as_text=True)
    saved = _post(operatore, f"{LIST}/{urp.id}", _form(title=URP, is_moderated="1", notify_citizens=None,
                                                         operators=[str(_user_id(app, "operatore"))]))
    assert saved.status_code == 302
    edited = _calendar(app, URP)
    assert edited is not None and edited.is_moderated and not edited.notify_citizens  # a flag switched off
    assert edited.location == "Via Roma 2"

    admin = logged_in(app, "admin")
    assert _post(admin, f"{LIST}/{urp.id}/elimina", {}).status_code == 302
    assert _calendar(app, URP) is None
    assert "Calendario «Ufficio Relazioni con il Pubblico» eliminato." in admin.get(LIST).get_data(as_text=True)


def test_every_calendar_leads_to_its_agenda_from_the_list_and_the_top_of_its_page(app):
    add_staff(app, "altro-op")  # not enabled for the URP calendar: reads its agenda, does not run it
    urp = _calendar(app, URP)
    assert urp is not None
    agenda = f"{LIST}/{urp.id}/appuntamenti"
    for username in ("operatore", "altro-op"):
        client = logged_in(app, username)
        row = client.get(LIST).get_data(as_text=True).partition(f">{URP}")[2].partition("</tr>")[0]
        link = rf'<a [^>]*href="{agenda}"[^>]*>Agenda<span class="visually-hidden"> {URP}</span></a>'
        assert re.search(link, row), row
        page = client.get(f"{LIST}/{urp.id}").get_data(as_text=True)
        assert f'href="{agenda}"' in page.split('<form method="post" novalidate')[0], username  # above the form
        assert client.get(agenda).status_code == 200


def test_manager_enables_an_operator_for_calendars(app):
    add_staff(app, "nuova")
    urp = _calendar(app, URP)
    assert urp is not None
    manager = logged_in(app, "manager")
    operator_id = _user_id(app, "nuova")
    page = manager.get(f"/demo/backoffice/operatori/{operator_id}").get_data(as_text=True)
    assert "Calendari abilitati" in page and f'value="{urp.id}"' in page
    form = {"csrf_token": csrf(manager, "/demo/backoffice/operatori"), "name": "Nuova", "family_name": "Test",
            "email": "nuova@demo.example.it", "calendars": [str(urp.id)]}
    assert manager.post(f"/demo/backoffice/operatori/{operator_id}", data=form).status_code == 302
    with app.app_context():
        assert [c.title for c in db.session.get(User, operator_id).calendars] == [URP]
    nuova = logged_in(app, "nuova")
    assert _post(nuova, f"{LIST}/{urp.id}", {"title": URP, "location": "Sportello 3", "rolling_days": "30",
                                             "minimum_scheduling_notice": "0", "allow_cancel_days": "0",
                                             "drafts_minutes": "10", "drafts_increment_days": "0",
                                             "operators": [str(operator_id)]}).status_code == 302
    assert _calendar(app, URP).location == "Sportello 3"  # type: ignore[union-attr]


def test_public_api_reads_calendars_of_its_own_tenant_only(app, api):
    make_tenant(app, "altro")
    client = app.test_client()
    [urp] = client.get("/demo/api/calendars").get_json()
    assert urp["title"] == URP and urp["rolling_days"] == 30 and urp["drafts_duration"] == 600
    assert "operators" not in urp  # who runs a calendar is not published
    assert client.get(f"/demo/api/calendars/{urp['id']}").get_json()["title"] == URP
    assert client.get(f"/altro/api/calendars/{urp['id']}").status_code == 404
    assert client.get("/demo/api/calendars/not-a-uuid").status_code == 404
    spec = client.get("/demo/api/openapi.json").get_json()
    assert "/calendars/{id}" in spec["paths"] and "Calendar" in spec["components"]["schemas"]


def _user_id(app: Flask, username: str) -> Any:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.username == username))
