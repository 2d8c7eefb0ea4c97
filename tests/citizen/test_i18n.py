"""Italian first, English available: the citizen pages follow `?lang=en` for the session."""

from __future__ import annotations

from tests.citizen.helpers import MARIO, login


def test_italian_by_default_and_english_on_request(app):
    client = app.test_client()
    assert "Cerca un servizio" in client.get("/demo/servizi").get_data(as_text=True)
    english = client.get("/demo/servizi?lang=en").get_data(as_text=True)
    assert "Search for a service" in english and '<html lang="en">' in english
    login(client, MARIO)  # the choice survives the login
    page = client.get("/demo/area-personale").get_data(as_text=True)
    assert "My applications" in page and "Personal area" in page
