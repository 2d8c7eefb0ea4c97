"""C.SE.1.10, dates and reference (ui.md §4, item 10).

"Where relevant, the page shows the date of taking charge, the protocol number (or the application
number), and the latest completion date. That date is not later than the term on the service page.
*Test: date ≤ taken-in-charge date + the service's maximum term, and the term equals the one on the
service page.*"

Each service declares its term (`max_response_time`, days, a setting of Gestione servizi, of the
import/export format and of the admin API); an application's latest completion date is the day the ente
received it plus that term (L. 241/1990 art. 2: the term runs "dal ricevimento della domanda"), shown to
the citizen and to the operator; the back-office list filters the open ones past it ("In ritardo").
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.backoffice.conftest import csrf, logged_in
from tests.citizen.helpers import login
from tests.conftest import DESKTOP_AND_PHONE, Api, assert_accessible
from tests.webapp.helpers import MARIO, act, submitted
from tests.workshop.helpers import unzip, zip_of
from webapp.extensions import db
from webapp.models import Application
from webapp.services.common import localtime

TERM = re.compile(r'data-element="service-calendar-text"><span id="termine-conclusione" data-term-days="(\d+)">'
                  r"([^<]*)</span>")
BO = "/demo/backoffice"


def _day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def _service_page_term(client: Any, slug: str) -> int:
    """The term the service page states in "Tempi e scadenze", as a number and in its words."""
    found = TERM.search(client.get(f"/demo/servizi/{slug}").get_data(as_text=True))
    assert found, f"{slug}: no term in Tempi e scadenze"
    days = int(found.group(1))
    assert f"entro {days} giorn" in found.group(2)
    return days


def _shown(html: str, marker: str) -> str:
    found = re.search(rf'data-date="{marker}">(?:[^<]*<strong>)?([0-9/]+)', html)
    assert found, f"no {marker} date on the page"
    return found.group(1)


def test_c_se_1_10_every_service_states_its_term_on_its_page(app: Flask, api: Api) -> None:
    client = app.test_client()
    services = api.get("/services").get_json()
    assert services
    for service in services:
        declared = service["max_response_time"]
        assert isinstance(declared, int) and declared > 0, service["slug"]
        assert _service_page_term(client, service["slug"]) == declared


def test_c_se_1_10_the_citizen_and_the_operator_see_the_dates(app: Flask, api: Api) -> None:
    app_id = submitted(api, "accesso-atti")  # protocolled by the workers right away
    act(api, app_id, "assign", "operatore")
    term = _service_page_term(app.test_client(), "accesso-atti")
    data = api.get(f"/applications/{app_id}", MARIO).get_json()
    received = localtime.local_day(datetime.fromisoformat(data["received_at"]))
    taken = localtime.local_day(datetime.fromisoformat(data["taken_in_charge_at"]))
    due = date.fromisoformat(data["due_on"])
    assert due == received + timedelta(days=term) and due <= taken + timedelta(days=term)
    assert data["overdue"] is False and data["protocol_number"]

    citizen = app.test_client()
    login(citizen)
    page = citizen.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert app_id in page and data["protocol_number"] in page
    assert _day(_shown(page, "taken-in-charge")) == taken and _day(_shown(page, "due")) == due
    confirmation = citizen.get(f"/demo/pratiche/{app_id}/inviata").get_data(as_text=True)
    assert _day(_shown(confirmation, "due")) == due  # "Prossimi passi" says it from the start

    operator = logged_in(app, "operatore")
    detail = operator.get(f"{BO}/pratiche/{app_id}").get_data(as_text=True)
    assert app_id in detail and data["protocol_number"] in detail
    assert _day(_shown(detail, "taken-in-charge")) == taken and _day(_shown(detail, "due")) == due


def _received_days_ago(app: Flask, app_id: str, days: int) -> None:
    """As if the ente had received it `days` ago (its date counted from then, as the submission does)."""
    with app.app_context():
        row = db.session.get(Application, uuid.UUID(app_id))
        assert row is not None and row.due_on is not None
        term = (row.due_on - localtime.local_day(row.received_at)).days
        # On Rome's wall clock: across a change of summer time, `days` of 24 hours can land on another day.
        row.received_at = localtime.local(row.received_at) - timedelta(days=days)
        row.due_on = localtime.local_day(row.received_at) + timedelta(days=term)
        db.session.commit()


def _listed(client: Any, query: str) -> str:
    return client.get(f"{BO}/pratiche?{query}").get_data(as_text=True)


def test_c_se_1_10_the_list_filters_the_overdue_ones(app: Flask, api: Api) -> None:
    late, on_time, closed = (submitted(api, "contributo") for _ in range(3))
    act(api, closed, "assign", "operatore")
    act(api, closed, "reject", "operatore", {"message": "Requisiti mancanti"})
    for app_id in (late, closed):
        _received_days_ago(app, app_id, 61)  # contributo: 60 days
    client = logged_in(app, "operatore")
    overdue = _listed(client, "overdue=1")
    assert f"/pratiche/{late}" in overdue
    assert f"/pratiche/{on_time}" not in overdue and f"/pratiche/{closed}" not in overdue  # closed: not late
    assert overdue.count("data-overdue") == 1
    everything = _listed(client, "")
    row = everything.split(f"/pratiche/{late}", 1)[1].split("</tr>", 1)[0]
    assert "In ritardo" in row  # the badge, without the filter too
    assert api.get(f"/applications/{late}", "operatore").get_json()["overdue"] is True
    assert api.get(f"/applications/{closed}", "operatore").get_json()["overdue"] is False
    detail = client.get(f"{BO}/pratiche/{late}").get_data(as_text=True)
    assert "data-overdue" in detail


BASE = f"{BO}/gestione-servizi/"


def _settings(client: Any, slug: str, **changes: str) -> Any:
    page = client.get(BASE + f"{slug}/").get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf(client, BASE + f"{slug}/"), "revision": revision, "title": "Passo carrabile",
            "payment": "none", "protocol_handler": "builtin", **changes}
    return client.post(BASE + f"{slug}/", data=form)


def test_c_se_1_10_the_term_is_a_setting_of_the_service(app: Flask, api: Api) -> None:
    client = logged_in(app, "admin")
    token = csrf(client, BASE + "nuovo")
    client.post(BASE + "nuovo", data={"csrf_token": token, "start": "blank", "title": "Passo carrabile",
                                      "slug": "passo-carrabile"})
    wrong = _settings(client, "passo-carrabile", max_response_time="0")
    assert wrong.status_code == 400
    assert 'href="#max_response_time"' in wrong.get_data(as_text=True) and "numero di giorni" in wrong.get_data(
        as_text=True)
    assert _settings(client, "passo-carrabile", max_response_time="45").status_code == 302
    assert 'value="45"' in client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    published = client.post(BASE + "passo-carrabile/pubblica",
                            data={"csrf_token": csrf(client, BASE + "passo-carrabile/"), "confirm": "1"})
    assert published.status_code == 302
    assert api.get("/services/passo-carrabile").get_json()["max_response_time"] == 45
    assert _service_page_term(app.test_client(), "passo-carrabile") == 45

    exported = unzip(api.get("/admin/services/passo-carrabile/export", "admin").data)  # the admin API's format
    [manifest] = [name for name in exported if name.endswith("service.yaml")]
    assert "max_response_time: 45" in exported[manifest]
    exported[manifest] = exported[manifest].replace("max_response_time: 45", "max_response_time: 0")
    refused = api.post("/admin/services/import", "admin", data={"file": (io.BytesIO(zip_of(exported)), "passo.zip")},
                       content_type="multipart/form-data")
    assert refused.status_code == 422 and "max_response_time" in refused.get_data(as_text=True)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_10_dates_in_the_browser(app: Flask, live_server: str, page, api: Api) -> None:
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    page.goto(f"{live_server}/demo/servizi/contributo")
    term = int(page.locator('[data-element="service-calendar-text"] [data-term-days]').get_attribute(
        "data-term-days") or 0)
    assert term == 60
    assert_accessible(page)
    page.goto(f"{live_server}/demo/accedi")
    page.get_by_role("link", name="Entra con SPID").click()
    page.locator(f'label[for="id-{MARIO}"]').click()
    page.get_by_role("button", name="Accedi").click()
    page.goto(f"{live_server}/demo/pratiche/{app_id}")
    taken = _day(page.locator('[data-date="taken-in-charge"] strong').inner_text())
    due = _day(page.locator('[data-date="due"] strong').inner_text())
    assert due <= taken + timedelta(days=term)
    assert_accessible(page)

    _received_days_ago(app, app_id, 61)
    page.goto(f"{live_server}{BO}/login")
    page.fill("#username", "operatore")
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/pratiche.*"))
    page.locator('label[for="overdue"]').click()
    page.get_by_role("button", name="Applica").click()
    page.wait_for_url(re.compile(r"overdue=1"))
    row = page.locator("tbody tr", has=page.locator(f'a[href$="/pratiche/{app_id}"]'))
    assert row.count() == 1 and "In ritardo" in row.inner_text()
    assert_accessible(page)
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/pratiche/{app_id}"))
    assert _day(page.locator('[data-date="due"]').inner_text().split()[0]) < localtime.today()
    assert_accessible(page)
