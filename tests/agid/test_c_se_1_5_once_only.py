"""C.SE.1.5, once only (ui.md §4): "Data the Comune already holds is not asked again: personal data,
residence, contacts, household, ISEE, cadastral data, vehicles, IBAN and company data."
Check: "with a profile that has these data, no such field is empty on 'Dati generali'".

What the ente holds: the SPID/CIE identity (read-only), and the contacts, residence, ISEE and IBAN the
citizen gave on the profile page or in an application sent before, each with its date. A form names the
fields holding them (`x-profile`, or the conventional names, README "The service format").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import forms
from tests.browser.test_citizen_flow import login as browser_login
from tests.browser.test_citizen_flow import tick
from tests.citizen.helpers import MARIO, login, post_form
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from webapp.extensions import db
from webapp.models import User

WORKFLOWS = Path(__file__).parents[2] / "workflows"
CONTRIBUTO = forms.load_form("domanda", WORKFLOWS / "contributo/forms/domanda.json")
ROME = ZoneInfo("Europe/Rome")
IBAN = "IT60X0542811101000000123456"
# The profile page as Mario's seeded data fills it.
PROFILE = {"email": "mario.rossi@example.it", "phone": "+39 333 1234567", "residence.address": "Via Roma 1",
           "residence.postal_code": "00100", "residence.city": "Roma", "residence.province": "RM"}
APPLICATION = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
               "email": "mario.nuova@example.it", "telefono": "+39 333 7654321",
               "indirizzo_residenza": "Via Appia 12", "cap_residenza": "00179", "comune_residenza": "Roma",
               "residente": "sì", "isee": 8500.5, "importo_richiesto": 300, "iban": IBAN,
               "motivazione": "Spese scolastiche"}


def start_contributo(page: Any, base: str, logged_in: bool = False) -> None:
    """Logged in as Mario (unless already), past the privacy step of a new contributo: on "Dati generali"."""
    if not logged_in:
        browser_login(page, base)
        page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(base + "/demo/servizi/contributo/domanda")
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiedente$"))


def _mario(app: Any) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.fiscal_code == MARIO))
        assert user is not None
        db.session.expunge(user)
        return user


def _send_contributo(api: Any, data: dict[str, Any]) -> str:
    created = api.post("/applications", user=MARIO, json={"service": "contributo", "data": data})
    assert created.status_code == 201, created.get_json()
    app_id = created.get_json()["id"]
    sent = api.post(f"/applications/{app_id}/transition/submit", user=MARIO, json={})
    assert sent.status_code == 204, sent.get_json()
    return str(app_id)


def test_c_se_1_5_a_sent_application_leaves_its_data_in_the_profile_with_its_date(app, api):
    before = datetime.now(UTC)
    app_id = _send_contributo(api, APPLICATION)
    mario = _mario(app)
    assert mario.held_data == {"isee": 8500.5, "iban": IBAN}
    assert mario.email == "mario.nuova@example.it" and mario.phone == "+39 333 7654321"
    assert mario.residence == {"address": "Via Appia 12", "postal_code": "00179", "city": "Roma", "province": "RM"}
    assert mario.name == "Mario" and mario.birth_place == "Roma"  # identity data is never taken back
    provenance = mario.data_provenance or {}
    assert set(provenance) == {"email", "phone", "residence", "isee", "iban"}
    for entry in provenance.values():
        assert entry["source"] == "application" and entry["application_id"] == app_id
        assert entry["service"] == "Richiesta di contributo economico"
        assert datetime.fromisoformat(entry["at"]) >= before
    client = app.test_client()
    login(client, MARIO)
    html = client.get("/demo/area-personale/profilo").get_data(as_text=True)
    today = datetime.now(ROME).strftime("%d/%m/%Y")
    assert 'value="IT60 X054 2811 1010 0000 0123 456"' in html  # IBAN grouped
    assert 'value="8.500,50"' in html  # ISEE in euro, with comma
    assert f"Aggiornato al {today} con la pratica" in html and f"/demo/pratiche/{app_id}" in html


def test_c_se_1_5_a_new_application_offers_what_the_ente_holds_with_the_note(app, api):
    _send_contributo(api, APPLICATION)
    client = app.test_client()
    login(client, MARIO)
    first = post_form(client, "/demo/servizi/contributo/domanda", {"privacy": "true", "action": "next"})
    assert first.status_code == 302
    step = client.get(first.location).get_data(as_text=True)
    for name, value in (("email", "mario.nuova@example.it"), ("telefono", "+39 333 7654321"),
                        ("indirizzo-residenza", "Via Appia 12"), ("cap-residenza", "00179"),
                        ("comune-residenza", "Roma")):
        assert re.search(rf'id="f-{name}" name="[^"]+"\s+value="{re.escape(value)}"', step), name
        assert f'id="f-{name}-held"' in step, name  # "dati già in possesso dell'ente, aggiornati al ..."
    today = datetime.now(ROME).strftime("%d/%m/%Y")
    assert f"Dati già in possesso dell'ente, aggiornati al {today}" in step
    later = client.get(first.location.replace("/richiedente", "/richiesta")).get_data(as_text=True)
    assert f'value="{IBAN}"' in later and 'id="f-iban-held"' in later


def test_c_se_1_5_the_profile_page_keeps_isee_and_iban_dated_and_refuses_wrong_ones(app):
    client = app.test_client()
    login(client, MARIO)
    url = "/demo/area-personale/profilo"
    bad = post_form(client, url, {"isee": "tanti", "iban": "IT00 0000"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "IBAN non valido" in html and "Valore ISEE non valido" in html and 'value="tanti"' in html
    assert _mario(app).held_data is None  # nothing kept from a refused page
    good = post_form(client, url, {**PROFILE, "isee": "12.345,67", "iban": "it60 x054 2811 1010 0000 0123 456"})
    assert good.status_code == 302
    mario = _mario(app)
    assert mario.held_data == {"isee": 12345.67, "iban": IBAN}
    assert {k: v["source"] for k, v in (mario.data_provenance or {}).items()} == {"isee": "profile", "iban": "profile"}
    html = client.get(url).get_data(as_text=True)
    assert 'value="12.345,67"' in html and "dal profilo" in html
    cleared = post_form(client, url, {**PROFILE, "iban": IBAN})  # the ISEE taken away: no date for nothing
    assert cleared.status_code == 302
    mario = _mario(app)
    assert mario.held_data == {"iban": IBAN} and set(mario.data_provenance or {}) == {"iban"}


def test_c_se_1_5_fields_are_named_by_declaration_never_guessed_from_an_address_name():
    assert CONTRIBUTO.profile_fields["cap_residenza"] == "residence.postal_code"
    assert CONTRIBUTO.profile_fields["isee"] == "isee" and CONTRIBUTO.profile_fields["iban"] == "iban"
    occupazione = forms.load_form("domanda", WORKFLOWS / "occupazione-suolo/forms/domanda.json")
    assert "indirizzo" not in occupazione.profile_fields  # the place occupied, not the applicant's home
    document = {"title": "x", "schema": {"type": "object",
                                         "properties": {"a": {"type": "string", "x-profile": "shoe"}}}}
    with pytest.raises(forms.FormDefinitionError, match="x-profile"):
        forms.form_from_document("x", document)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_5_with_a_profile_holding_the_data_no_such_field_is_empty(live_server, page):
    browser_login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(live_server + "/demo/area-personale/profilo")  # the citizen tells the ente once
    page.fill("#p-isee", "8.500,50")
    page.fill("#p-iban", "IT60 X054 2811 1010 0000 0123 456")
    page.get_by_role("button", name="Salva il profilo").click()
    page.get_by_text("Profilo aggiornato.").wait_for()
    assert page.locator("#p-iban").input_value() == "IT60 X054 2811 1010 0000 0123 456"
    assert page.locator('[data-held="iban"]').inner_text().startswith("Aggiornato al ")
    assert_accessible(page)
    start_contributo(page, live_server, logged_in=True)  # on "Dati generali"
    held = CONTRIBUTO.profile_fields
    for step in CONTRIBUTO.steps[1:]:
        assert re.search(rf"/passi/{step.id}$", page.url)
        for name in (n for n in step.fields if n in held):
            box = page.locator(f'[name="{name}"]')
            assert box.input_value().strip(), f"{step.title}: {name} empty though the ente holds it"
            assert box.is_editable()
        assert_accessible(page)
        if step.id == "richiesta":
            page.fill("#f-importo-richiesto", "300")
            page.fill("#f-motivazione", "Spese scolastiche")
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_load_state()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    summary = page.locator("main").inner_text()
    assert "8.500,5" in summary and "IT60X0542811101000000123456" in summary and "Via Roma 1" in summary
