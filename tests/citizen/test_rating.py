"""The rating component at the end of the submission flow (ui.md §3.7, C.SE.1.7), without JavaScript
and as htmx fragments, and its summary in the back-office statistics."""

from __future__ import annotations

import re

from flask import Flask

from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import MARIO, csrf, login
from tests.webapp.helpers import submitted
from webapp.extensions import db
from webapp.models import ServiceRating

ELEMENTS = ["feedback", "feedback-title", *(f"feedback-rate-{n}" for n in range(1, 6)), "feedback-rating-positive",
            "feedback-rating-negative", "feedback-rating-question", "feedback-rating-answer",
            "feedback-input-text"]


def _ratings(app: Flask) -> list[tuple[int, list[str], str | None]]:
    with app.app_context():
        return [(r.score, r.answers, r.comment) for r in db.session.scalars(db.select(ServiceRating))]


def _sent_page(app: Flask, api) -> tuple[object, str]:
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    return client, f"/demo/pratiche/{app_id}/inviata"


def test_the_confirmation_page_carries_the_whole_component(app, api):
    client, sent = _sent_page(app, api)
    page = client.get(sent).get_data(as_text=True)
    for element in ELEMENTS:
        assert f'data-element="{element}"' in page, element
    assert "Quanto è stato facile usare questo servizio?" in page
    # Without JavaScript both follow-up questions are there, and none is hidden.
    assert "Dove hai incontrato le maggiori difficoltà?" in page and "Quali sono stati gli aspetti" in page
    assert not re.search(r'data-element="feedback-rating-(positive|negative)" hidden', page)


def test_the_follow_up_switches_between_three_and_four_stars(app):
    client = app.test_client()
    for score, shown, hidden in (("3", "negative", "positive"), ("4", "positive", "negative")):
        fragment = client.get("/demo/valutazione/seguito", query_string={"score": score}).get_data(as_text=True)
        assert f'data-element="feedback-rating-{hidden}" hidden' in fragment
        assert f'data-element="feedback-rating-{shown}">' in fragment
    nothing_yet = client.get("/demo/valutazione/seguito").get_data(as_text=True)
    assert nothing_yet.count(" hidden>") == 2


def test_a_rating_without_javascript_keeps_only_the_answers_that_fit_the_score(app, api):
    client, sent = _sent_page(app, api)
    token = csrf(client, sent)
    response = client.post("/demo/valutazione", data={
        "csrf_token": token, "service": "contributo", "next": sent, "score": "2",
        "answers": ["unclear", "clear"], "comment": "  Non trovavo l'IBAN  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Grazie, il tuo parere ci aiuterà" in page
    assert f'href="{sent}"' in page  # back to where the citizen was
    assert _ratings(app) == [(2, ["unclear"], "Non trovavo l'IBAN")]


def test_bad_ratings_are_refused_and_nothing_is_stored(app):
    client = app.test_client()
    token = csrf(client, "/demo/accedi/prova/spid")  # any page with a form
    cases = [({"score": ""}, "Scegli da 1 a 5 stelle."),
             ({"score": "6"}, "Scegli da 1 a 5 stelle."),
             ({"score": "4", "answers": ["drop table"]}, "non è tra quelle previste"),
             ({"score": "4", "comment": "x" * 201}, "al massimo 200 caratteri"),
             ({"score": "4", "service": "inesistente"}, "Servizio sconosciuto.")]
    for fields, message in cases:
        data = {"csrf_token": token, "service": "contributo", "next": "https://evil.example/", **fields}
        response = client.post("/demo/valutazione", data=data, headers={"HX-Request": "true"})
        fragment = response.get_data(as_text=True)
        assert response.status_code == 400 and message in fragment, fields
        assert 'id="feedback"' in fragment and "evil.example" not in fragment  # the form again, never elsewhere
    assert _ratings(app) == []


def test_an_anonymous_htmx_rating_and_the_statistics(app):
    client = app.test_client()
    token = csrf(client, "/demo/accedi/prova/spid")  # any page with a form
    for score in ("5", "4", "2"):
        response = client.post("/demo/valutazione", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "service": "contributo", "score": score})
        assert response.status_code == 200
        assert response.get_data(as_text=True).lstrip().startswith('<div class="cmp-rating')  # a fragment
    statistics = logged_in(app, "manager").get("/demo/backoffice/statistiche").get_data(as_text=True)
    section = statistics.split('id="ratings-title"')[1]
    assert re.search(r"Richiesta di contributo economico</th><td>3</td><td>3,7</td>", section)
