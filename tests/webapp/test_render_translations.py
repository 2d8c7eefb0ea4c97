"""Templates translate with the catalogue of their render, taken once per render, not once per string."""

from __future__ import annotations

import flask_babel
import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from tests.backoffice.conftest import logged_in
from tests.conftest import Api
from tests.webapp.helpers import submitted

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


def _count_catalogue_lookups(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every catalogue look-up, Flask-Babel's callables' and ours: all ask the domain."""
    taken: list[object] = []
    original = flask_babel.Domain.get_translations

    def counted(domain: flask_babel.Domain) -> object:
        taken.append(object())
        return original(domain)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    return taken


@pytest.mark.parametrize("address", ["/demo/servizi", "/demo/servizi?lang=en"])
def test_a_page_takes_its_catalogue_once(app: Flask, monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    taken = _count_catalogue_lookups(monkeypatch)
    page = app.test_client().get(address)
    assert page.status_code == 200
    assert ("Search for a service" if "lang=en" in address else "Cerca un servizio") in page.get_data(as_text=True)
    # Once for the render; the few strings of macros imported without context (macros/ui.html) still take it
    # through Flask-Babel's callables, which before took it for every string of the page (over thirty here).
    assert len(taken) <= 5, len(taken)


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_list_labels_its_rows_statuses_with_the_renders_catalogue(app: Flask, api: Api,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    language: str) -> None:
    for _ in range(6):
        submitted(api, "contributo")
    operator = logged_in(app, "operatore")
    taken = _count_catalogue_lookups(monkeypatch)
    html = operator.get(f"/demo/backoffice/pratiche?lang={language}").get_data(as_text=True)
    assert html.count("Received" if language == "en" else "Acquisita") >= 6
    # A look-up per row before (the status label asked Flask-Babel for its language and catalogue).
    assert len(taken) <= 5, len(taken)
