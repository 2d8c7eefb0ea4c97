"""Servizi: an operator sees the services enabled for them with their settings and open work;
managers see every service; the counts lead into the filtered Pratiche list."""

from __future__ import annotations

import re

from tests.backoffice.conftest import add_staff, logged_in
from tests.webapp.helpers import submitted


def _rows(page: str) -> dict[str, str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {re.sub(r"\s+", " ", row.split("</th>")[0]).split('<th scope="row">')[1].strip().split("<")[0].strip(): row
            for row in body.split("<tr>")[1:]}


def test_operator_sees_enabled_services_with_open_and_waiting_counts(app, api):
    add_staff(app, "atti", services=["accesso-atti"])
    submitted(api, "contributo")
    submitted(api, "contributo")
    page = logged_in(app, "atti").get("/demo/backoffice/servizi").get_data(as_text=True)
    assert list(_rows(page)) == ["Richiesta di accesso agli atti"]  # only what they are enabled for
    assert "Obbligatorio" in page  # accesso-atti requires protocol registration

    manager = logged_in(app, "manager").get("/demo/backoffice/servizi").get_data(as_text=True)
    rows = _rows(manager)
    assert {"Richiesta di accesso agli atti", "Richiesta di contributo economico"} <= set(rows)
    contributo = rows["Richiesta di contributo economico"]
    counts = re.findall(r">(\d+)<span", contributo)
    assert counts == ["2", "2"]  # both open, both still waiting to be taken in charge
    assert "service=contributo&amp;handling=waiting" in contributo
    assert 'href="/demo/servizi/contributo"' in contributo


def test_operator_without_services_is_told_whom_to_ask(app):
    add_staff(app, "nuovo")
    page = logged_in(app, "nuovo").get("/demo/backoffice/servizi").get_data(as_text=True)
    assert "Non sei ancora abilitata/o per alcun servizio: chiedi a un manager." in page


def test_footer_leads_staff_to_the_back_office(app):
    page = app.test_client().get("/demo/servizi").get_data(as_text=True)
    assert 'href="/demo/backoffice/login">Gestisci i servizi digitali</a>' in page
