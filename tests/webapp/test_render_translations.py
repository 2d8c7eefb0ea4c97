"""Templates translate with the catalogue of their render, taken once per render, not once per string."""

from __future__ import annotations

import flask_babel
import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from webapp.views import web

TEMPLATE = ("{{ _('Gentile %(name)s,', name=name) }}|{{ ngettext('%(num)d pratica', '%(num)d pratiche', count) }}"
            "|{% trans %}Cerca un servizio{% endtrans %}|{{ _('100%%') }}")


def test_strings_follow_the_renders_language_escaped_and_formatted(app: Flask) -> None:
    with app.test_request_context("/demo/"):
        assert render_template_string(TEMPLATE, name="<b>Ada</b>", count=1) == (
            "Gentile &lt;b&gt;Ada&lt;/b&gt;,|1 pratica|Cerca un servizio|100%")
        with force_locale("en"):  # what the mail of a citizen who chose English is rendered in
            assert render_template_string(TEMPLATE, name="Ada", count=3) == (
                "Dear Ada,|3 applications|Search for a service|100%")
        assert render_template_string(TEMPLATE, name="Ada", count=2).startswith("Gentile Ada,|2 pratiche|")


@pytest.mark.parametrize("address", ["/demo/servizi", "/demo/servizi?lang=en"])
def test_a_page_takes_its_catalogue_once(app: Flask, monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    taken: list[object] = []  # one entry per catalogue look-up
    original = flask_babel.get_translations

    def counted() -> object:
        taken.append(object())
        return original()

    monkeypatch.setattr(flask_babel, "get_translations", counted)
    monkeypatch.setattr(web, "get_translations", counted, raising=False)
    page = app.test_client().get(address)
    assert page.status_code == 200
    assert ("Search for a service" if "lang=en" in address else "Cerca un servizio") in page.get_data(as_text=True)
    # Once for the render; the few strings of macros imported without context (macros/ui.html) still take it
    # through Flask-Babel's callables, which before took it for every string of the page (over thirty here).
    assert len(taken) <= 5, len(taken)
