"""C.SE.3.3, privacy notice: "The footer links to the privacy notice (GDPR arts. 13–14)."
Check (ui.md §4): *E2E: `data-element="privacy-policy-link"` is present and resolves.*

The link is the ente's own: it leads to the ente's notice, its own text from its settings. The demo ships a
published one; a new ente gets a draft filled in with its name, fiscal code and contacts, shown to the public
marked "testo in bozza" and to its administrators as "Bozza" until one of them publishes it."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from tests.agid.legal_pages import create_ente, demo_setting, demo_settings, follow_footer_link
from tests.backoffice.conftest import csrf, logged_in
from tests.conftest import DESKTOP_AND_PHONE, Api

SETTINGS = "/demo/backoffice/impostazioni"
GDPR_SECTIONS = ("Titolare del trattamento", "Responsabile della protezione dei dati", "Finalità e base giuridica",
                 "Destinatari", "Periodo di conservazione", "Diritti")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize("start", ["/demo/", "/demo/servizi/contributo"])
def test_c_se_3_3_the_footer_privacy_link_leads_to_the_ente_notice(live_server: str, page, start: str) -> None:
    text = follow_footer_link(page, live_server, start, "privacy-policy-link")
    assert page.url == f"{live_server}/demo/privacy"
    assert page.locator("h1").inner_text() == "Informativa privacy"
    assert "articoli 13 e 14 del Regolamento (UE) 2016/679" in text
    for section in GDPR_SECTIONS:
        assert page.locator("main h2", has_text=section).count() == 1, section
    assert "Comune di Demo" in text and "protocollo@pec.demo.example.it" in text  # the demo's own details
    assert page.locator("[data-draft]").count() == 0 and "Testo in bozza" not in text  # the demo's is published
    assert "da completare" not in text  # and complete


def textarea(page: str, name: str) -> str:
    """What the settings page's text box holds, as the browser would send it back."""
    found = re.search(rf'<textarea[^>]*id="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def test_c_se_3_3_a_new_ente_has_a_draft_notice_with_its_details(app: Flask) -> None:
    create_ente(app)
    page = app.test_client().get("/comune-nuovo/privacy")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Testo in bozza" in body and "non lo ha ancora approvato e pubblicato" in body
    assert "<strong>Comune di Nuovo Borgo</strong> (codice fiscale 80014890638)" in body
    assert "[da completare: indirizzo della sede]" in body and "[da completare: PEC]" in body
    assert 'href="https://www.garanteprivacy.it"' in body
    footer_link = re.search(r'href="([^"]+)" data-element="privacy-policy-link"', body)
    assert footer_link and footer_link.group(1) == "/comune-nuovo/privacy"


def test_c_se_3_3_the_draft_follows_the_contacts_until_an_admin_publishes_it(app: Flask) -> None:
    demo_settings(app, "privacy_text", "privacy_text_published")
    public = app.test_client()
    assert "Testo in bozza" in public.get("/demo/privacy").get_data(as_text=True)
    admin = logged_in(app, "admin")
    settings_page = admin.get(SETTINGS).get_data(as_text=True)
    assert 'id="privacy_text-state" data-state="draft">Bozza</span>' in settings_page
    # Saving the page unchanged keeps the platform's draft (it keeps following the contacts) ...
    form = {"csrf_token": csrf(admin, SETTINGS), "name": "Comune di Demo",
            "contact_pec": "nuova-pec@pec.demo.example.it",
            "privacy_text": textarea(settings_page, "privacy_text")}
    assert admin.post(SETTINGS, data=form).status_code == 302
    assert demo_setting(app, "privacy_text") is None
    assert "nuova-pec@pec.demo.example.it" in public.get("/demo/privacy").get_data(as_text=True)
    # ... publishing it (the page as it is shown now) makes it the ente's text, no longer a draft
    settings_page = admin.get(SETTINGS).get_data(as_text=True)
    form.update(csrf_token=csrf(admin, SETTINGS), privacy_text=textarea(settings_page, "privacy_text"),
                privacy_text_published="1")
    assert admin.post(SETTINGS, data=form).status_code == 302
    assert demo_setting(app, "privacy_text_published") is True, demo_setting(app, "privacy_text")
    published = public.get("/demo/privacy").get_data(as_text=True)
    assert "Testo in bozza" not in published and "nuova-pec@pec.demo.example.it" in published
    assert 'data-state="published">Pubblicato</span>' in admin.get(SETTINGS).get_data(as_text=True)
    assert "nuova-pec@pec.demo.example.it" in demo_setting(app, "privacy_text")


def test_c_se_3_3_the_api_publishes_and_a_cleared_text_is_a_draft_again(app: Flask, api: Api) -> None:
    demo_settings(app, "privacy_text", "privacy_text_published")
    got = api.get("/admin/settings", "admin").get_json()
    assert got["privacy_text_published"] is False and "Titolare del trattamento" in got["privacy_text"]
    put = api.call("PUT", "/admin/settings", "admin", json={"privacy_text_published": True})
    assert put.status_code == 200 and put.get_json()["privacy_text_published"] is True
    assert "Titolare del trattamento" in demo_setting(app, "privacy_text")  # the draft's words, kept
    api.call("PUT", "/admin/settings", "admin", json={"contact_pec": "altra@pec.demo.example.it"})
    assert "altra@pec" not in app.test_client().get("/demo/privacy").get_data(as_text=True)  # published: frozen
    cleared = api.call("PUT", "/admin/settings", "admin", json={"privacy_text": ""}).get_json()
    assert cleared["privacy_text_published"] is False and "altra@pec.demo.example.it" in cleared["privacy_text"]
    assert "Testo in bozza" in app.test_client().get("/demo/privacy").get_data(as_text=True)
    bad = api.call("PUT", "/admin/settings", "admin", json={"privacy_text_published": "forse"})
    assert bad.status_code in (400, 422)
    assert "/privacy_text_published" in str(bad.get_json())


def test_c_se_3_3_an_ente_notice_published_elsewhere_is_the_footer_link(app: Flask) -> None:
    demo_settings(app, privacy_url="https://www.comune.demo.example.it/privacy")
    home = app.test_client().get("/demo/").get_data(as_text=True)
    assert '<a href="https://www.comune.demo.example.it/privacy" data-element="privacy-policy-link">' in home
