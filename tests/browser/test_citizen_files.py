"""A file chosen on a step survives an error elsewhere on the step, in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_citizen_flow import login, tick
from tests.citizen.helpers import PDF
from tests.conftest import assert_accessible
from tests.webapp.helpers import accesso_atti_data, create


@pytest.fixture
def delega(tmp_path):
    path = tmp_path / "delega.pdf"
    path.write_bytes(PDF)
    return path


def test_the_delegation_file_is_kept_when_the_step_has_an_error(live_server, page, api, delega):
    data = accesso_atti_data(in_qualita_di=None, atti_richiesti=None, motivazione=None, modalita_accesso=None)
    app_id = create(api, "accesso-atti", data)["id"]
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/passi/richiedente")
    tick(page, "f-in-qualita-di-2")
    page.locator("#f-delegante-nome").wait_for()
    page.fill("#f-delegante-nome", "Anna")
    page.fill("#f-delegante-cognome", "Verdi")
    page.fill("#f-delegante-codice-fiscale", "SBAGLIATO")
    page.set_input_files("#f-documento-delega", str(delega))
    page.get_by_role("button", name="Avanti").click()
    page.locator("#error-summary").wait_for()
    assert "Codice fiscale" in page.locator("#error-summary").inner_text()
    kept = page.locator("#f-documento-delega-kept")
    assert "File già caricato" in kept.inner_text() and "delega.pdf" in kept.inner_text()
    assert "documento" not in page.locator("#error-summary").inner_text().lower()
    assert_accessible(page)
    page.fill("#f-delegante-codice-fiscale", "VRDGPP85M41F205X")
    page.get_by_role("button", name="Avanti").click()  # the file input left empty: the kept file counts
    page.wait_for_url(re.compile(r"/passi/richiesta$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/passi/richiedente")
    assert "delega.pdf" in page.locator("#f-documento-delega-kept").inner_text()
