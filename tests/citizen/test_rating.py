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
    assert re.search(r"Richiesta di contributo economico</th><td>Invio della richiesta</td><td>3</td><td>3,7</td>",
                     section)


def test_ratings_are_kept_per_flow_and_the_statistics_split_them(app):
    """A booking's rating (for no service) and a withdrawal's count apart from the submission's."""
    client = app.test_client()
    token = csrf(client, "/demo/accedi/prova/spid")
    for service, flow, score in (("contributo", "invio", "5"), ("contributo", "ritiro", "2"),
                                 ("", "prenotazione", "4"), ("", "prenotazione", "5")):
        response = client.post("/demo/valutazione", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "service": service, "flow": flow, "score": score})
        assert response.status_code == 200, response.get_data(as_text=True)
    refused = client.post("/demo/valutazione", headers={"HX-Request": "true"},
                          data={"csrf_token": token, "flow": "inventato", "score": "3"})
    assert refused.status_code == 400 and "Percorso sconosciuto." in refused.get_data(as_text=True)
    with app.app_context():
        assert sorted((r.flow, r.score) for r in db.session.scalars(db.select(ServiceRating))) == [
            ("invio", 5), ("prenotazione", 4), ("prenotazione", 5), ("ritiro", 2)]
    section = logged_in(app, "manager").get("/demo/backoffice/statistiche").get_data(as_text=True).split(
        'id="ratings-title"')[1]
    assert "Nessun servizio in particolare</th><td>Prenotazione appuntamento</td><td>2</td><td>4,5</td>" in section
    assert "Richiesta di contributo economico</th><td>Ritiro della pratica</td><td>1</td><td>2,0</td>" in section


def test_the_flows_on_a_pratica_end_on_a_page_with_the_rating(app, api):
    """Withdrawal and integrations sent land on their own page with the component, for the citizen only."""
    from tests.citizen.helpers import GIUSEPPINA, post_form
    from tests.webapp.helpers import act

    withdrawn, integrated = submitted(api, "accesso-atti"), submitted(api, "contributo")
    act(api, integrated, "assign", "operatore")
    act(api, integrated, "request-integration", "operatore", {"message": "Indica l'ISEE corretto"})
    client = app.test_client()
    login(client, MARIO)
    early = client.get(f"/demo/pratiche/{withdrawn}/fatto/ritiro")  # not withdrawn yet: no such ending
    assert early.status_code == 302 and early.headers["Location"].endswith(f"/demo/pratiche/{withdrawn}")
    done = post_form(client, f"/demo/pratiche/{withdrawn}/ritira", {}, token_from=f"/demo/pratiche/{withdrawn}/ritira")
    assert done.headers["Location"].endswith(f"/demo/pratiche/{withdrawn}/fatto/ritiro")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Pratica ritirata" in page
    assert f"La pratica è stata ritirata. L&#39;ufficio non esaminerà più la pratica {withdrawn}." in page
    for element in ELEMENTS:
        assert f'data-element="{element}"' in page, element
    assert 'name="flow" value="ritiro"' in page and 'name="service" value="accesso-atti"' in page
    waiting = client.get(f"/demo/pratiche/{integrated}/fatto/integrazione")  # still to answer
    assert waiting.status_code == 302
    form = client.get(f"/demo/pratiche/{integrated}/integrazioni").get_data(as_text=True)
    assert re.search(r'href="[^"]*servizio=contributo[^"]*" data-element="appointment-booking"', form)
    fields = {"nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": "mario.rossi@example.it",
              "importo_richiesto": "300", "iban": "IT60X0542811101000000123456", "motivazione": "Spese",
              "isee": "7000", "message": "ISEE corretto"}
    sent = post_form(client, f"/demo/pratiche/{integrated}/integrazioni", fields)
    assert sent.headers["Location"].endswith(f"/demo/pratiche/{integrated}/fatto/integrazione")
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Integrazioni inviate" in page and 'name="flow" value="integrazione"' in page
    assert client.get(f"/demo/pratiche/{withdrawn}/fatto/inventato").status_code == 404
    other = app.test_client()
    login(other, GIUSEPPINA)
    assert other.get(f"/demo/pratiche/{withdrawn}/fatto/ritiro").status_code == 404  # someone else's pratica


def test_the_payment_ends_with_the_rating_only_back_from_pagopa(app):
    client = app.test_client()
    login(client, MARIO)
    back = client.get("/demo/area-personale/pagamenti?esito=ok").get_data(as_text=True)
    assert 'data-element="feedback"' in back and 'name="flow" value="pagamento"' in back
    for outcome in ("", "?esito=annullato", "?esito=errore"):
        page = client.get(f"/demo/area-personale/pagamenti{outcome}").get_data(as_text=True)
        assert 'data-element="feedback"' not in page, outcome
