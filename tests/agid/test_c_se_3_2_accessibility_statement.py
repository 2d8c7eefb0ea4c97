"""C.SE.3.2, accessibility statement: "The footer links to the AgID accessibility statement (WCAG 2.1)."
Check (ui.md §4): *E2E: the `data-element="accessibility-link"` href is set per ente and resolves.*

The statement is the ente's own text (its settings), on AgID's model: conformity to WCAG 2.1 AA (EN 301549),
the contents not accessible, how it was drafted, the feedback mechanism and the AgID procedure. The demo
ships a published one; a new ente gets a draft with its name and feedback address, marked as a draft; an
ente that published its statement on form.agid.gov.it links there instead."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.agid.legal_pages import create_ente, demo_setting, demo_settings, follow_footer_link
from tests.conftest import DESKTOP_AND_PHONE, Api

MODEL_SECTIONS = ("Stato di conformità", "Contenuti non accessibili", "Redazione della dichiarazione",
                  "Meccanismo di feedback e recapiti", "Procedura di attuazione")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize("start", ["/demo/", "/demo/prenota-appuntamento"])
def test_c_se_3_2_the_footer_accessibility_link_leads_to_the_ente_statement(live_server: str, page,
                                                                           start: str) -> None:
    text = follow_footer_link(page, live_server, start, "accessibility-link")
    assert page.url == f"{live_server}/demo/accessibilita"
    assert page.locator("h1").inner_text() == "Dichiarazione di accessibilità"
    for section in MODEL_SECTIONS:
        assert page.locator("main h2", has_text=section).count() == 1, section
    assert "WCAG 2.1, livello AA" in text and "UNI CEI EN 301549" in text
    feedback = page.locator('main a[href^="mailto:"]')
    assert feedback.first.get_attribute("href") == "mailto:urp@demo.example.it"  # the feedback mechanism
    assert page.locator('main a[href="https://form.agid.gov.it"]').count() >= 1
    assert page.locator("[data-draft]").count() == 0 and "Testo in bozza" not in text and "da completare" not in text


def test_c_se_3_2_a_new_ente_has_a_draft_statement(app: Flask) -> None:
    create_ente(app)
    body = app.test_client().get("/comune-nuovo/accessibilita").get_data(as_text=True)
    assert "Testo in bozza" in body
    assert "Comune di Nuovo Borgo si impegna a rendere accessibile" in body
    assert "https://servizi.example.it/comune-nuovo/" in body or "/comune-nuovo/" in body  # the site it covers
    assert "[da completare: e-mail per le segnalazioni" in body  # no address yet: said, not invented
    footer_link = re.search(r'href="([^"]+)" data-element="accessibility-link"', body)
    assert footer_link and footer_link.group(1) == "/comune-nuovo/accessibilita"


def test_c_se_3_2_the_feedback_form_and_publishing(app: Flask, api: Api) -> None:
    demo_settings(app, "accessibility_text", "accessibility_text_published")
    assert "Testo in bozza" in app.test_client().get("/demo/accessibilita").get_data(as_text=True)
    form = "https://www.comune.demo.example.it/segnala-accessibilita"
    put = api.call("PUT", "/admin/settings", "admin", json={"accessibility_feedback_url": form,
                                                            "accessibility_text_published": True})
    assert put.status_code == 200, put.get_json()
    body = app.test_client().get("/demo/accessibilita").get_data(as_text=True)
    assert "Testo in bozza" not in body
    assert f'<a href="{form}" rel="noopener noreferrer">modulo per le segnalazioni' in body
    assert form in demo_setting(app, "accessibility_text")


def test_c_se_3_2_a_statement_on_form_agid_is_the_footer_link(app: Flask, api: Api) -> None:
    agid = "https://form.agid.gov.it/view/0000-demo"
    assert api.call("PUT", "/admin/settings", "admin", json={"accessibility_url": agid}).status_code == 200
    home = app.test_client().get("/demo/").get_data(as_text=True)
    assert f'<a href="{agid}" data-element="accessibility-link">' in home
    refused = api.call("PUT", "/admin/settings", "admin", json={"accessibility_url": "form.agid.gov.it"})
    assert refused.status_code in (400, 422) and "/accessibility_url" in str(refused.get_json())
