"""Pratiche: columns, search, filters (service, status, handling, period), sorting, paging; no drafts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from tests.backoffice.conftest import logged_in
from tests.conftest import Api
from tests.webapp.helpers import GIUSEPPINA, MARIO, accesso_atti_data, act, contributo_data, create, submitted
from tests.webapp.tenants import make_tenant
from webapp.extensions import db
from webapp.models import Application
from webapp.services import screens
from webapp.services.common import statuses

LIST = "/demo/backoffice/pratiche"


def _ids(client, **args) -> list[str]:
    response = client.get(LIST, query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [part.split('"')[0] for part in html.split(f'href="{LIST}/')[1:]]


def test_columns_and_drafts_hidden(app, api):
    app_id = submitted(api, "contributo")
    draft = create(api, "contributo", contributo_data())["id"]
    client = logged_in(app, "operatore")
    html = client.get(LIST).get_data(as_text=True)
    for header in ("Autenticazione", "Richiedente", "Codice fiscale", "Inviata il", "Ultimo cambio di stato",
                   "Stato", "Operatore", "Ufficio", "Priorità"):
        assert f">{header}" in html or f"{header}\n" in html or header in html
    assert app_id in html and draft not in html
    assert "SPID" in html and "RSSMRA80A01H501U" in html and "Acquisita" in html
    assert draft not in _ids(logged_in(app, "manager"))


def test_search_by_name_fiscal_code_and_id(app, api):
    mario = submitted(api, "contributo")
    giuseppina = submitted(api, "contributo", contributo_data(nome="Giuseppina", cognome="Verdi",
                                                              codice_fiscale=GIUSEPPINA), user=GIUSEPPINA)
    client = logged_in(app, "operatore")
    assert _ids(client, q="verdi") == [giuseppina]
    assert _ids(client, q="RSSMRA80A01H501U") == [mario]
    assert _ids(client, q="rssmra80a01h501u") == [mario]
    assert _ids(client, q=giuseppina) == [giuseppina]
    assert _ids(client, q="100%_") == []


def _mario_and_giuseppina(api) -> tuple[str, str, str]:
    """Mario's contributo and Giuseppina's accesso agli atti (protocolled); returns both ids and the protocol."""
    mario = submitted(api, "contributo")
    giuseppina = submitted(api, "accesso-atti", accesso_atti_data(nome="Giuseppina", cognome="Verdi",
                                                                  codice_fiscale=GIUSEPPINA), user=GIUSEPPINA)
    protocol = api.get(f"/applications/{giuseppina}", "operatore").get_json()["protocol_number"]
    assert protocol
    return mario, giuseppina, protocol


def test_search_by_part_of_a_fiscal_code_in_any_case(app, api):
    mario, giuseppina, _protocol = _mario_and_giuseppina(api)
    client = logged_in(app, "operatore")
    assert _ids(client, q="RSSMRA") == [mario]
    assert _ids(client, q="80a01") == [mario]
    assert _ids(client, q=" gpp85m ") == [giuseppina]
    assert _ids(client, q="rssmra80a01h501") == [mario]  # one character short of the whole code


def test_search_by_protocol_number_whole_or_in_part(app, api):
    _mario, giuseppina, protocol = _mario_and_giuseppina(api)
    client = logged_in(app, "operatore")
    assert _ids(client, q=protocol) == [giuseppina]
    year, _slash, number = protocol.partition("/")
    assert _ids(client, q=f"{year}/") == [giuseppina]
    assert _ids(client, q=number) == [giuseppina]  # the number without the year


def test_search_by_application_id_or_its_beginning(app, api):
    mario, giuseppina, _protocol = _mario_and_giuseppina(api)
    client = logged_in(app, "operatore")
    assert _ids(client, q=mario) == [mario]
    assert _ids(client, q=mario[:8]) == [mario]  # the first block, as people read it out
    assert _ids(client, q=mario[:13].upper()) == [mario]
    assert giuseppina not in _ids(client, q=mario[:6])


def test_search_by_name_and_surname_in_any_order(app, api):
    mario, giuseppina, _protocol = _mario_and_giuseppina(api)
    client = logged_in(app, "operatore")
    assert _ids(client, q="Rossi Mario") == [mario]
    assert _ids(client, q="mario ross") == [mario]
    assert _ids(client, q="giusepp") == [giuseppina]
    assert _ids(client, q="Mario Verdi") == []


def test_search_never_finds_another_entes_applications(app, api):
    mario, _giuseppina, _protocol = _mario_and_giuseppina(api)
    make_tenant(app, "altro")  # the same citizen, RSSMRA80A01H501U, in another ente
    other = Api(app, "altro")
    theirs = create(other, "contributo", contributo_data())["id"]
    act(other, theirs, "submit", MARIO)
    client = logged_in(app, "operatore")
    for q in ("RSSMRA", "rssmra80a01h501u", "Mario Rossi", theirs, theirs[:8]):
        assert theirs not in _ids(client, q=q), q
    assert _ids(client, q="RSSMRA") == [mario]
    outsider = logged_in(app, "op-altro", tenant="altro")
    found = outsider.get("/altro/backoffice/pratiche", query_string={"q": "RSSMRA"}).get_data(as_text=True)
    assert theirs in found and mario not in found


def test_filters_service_status_handling(app, api):
    contributo = submitted(api, "contributo")
    atti = submitted(api, "accesso-atti", accesso_atti_data())
    taken = submitted(api, "contributo")
    act(api, taken, "assign", "operatore")
    client = logged_in(app, "operatore")
    assert set(_ids(client, service="contributo")) == {contributo, taken}
    assert _ids(client, service="accesso-atti") == [atti]
    assert _ids(client, service="contributo", status=statuses.PENDING) == [taken]
    assert _ids(client, handling="mine") == [taken]
    assert set(_ids(client, handling="waiting")) == {contributo, atti}
    assert _ids(client, handling="office") == [taken]  # taken by an operator of the URP office
    assert _ids(client, service="non-esiste") == []


def test_status_filter_lists_only_reachable_statuses(app, api):
    client = logged_in(app, "operatore")
    contributo = client.get(LIST, query_string={"service": "contributo"}).get_data(as_text=True)
    atti = client.get(LIST, query_string={"service": "accesso-atti"}).get_data(as_text=True)
    assert 'value="3000"' not in contributo and 'value="3000"' in atti  # protocol only where required
    assert 'value="1500"' not in contributo  # no payment states without payments
    assert 'value="7100"' in contributo  # partial approval allowed
    everything = client.get(LIST).get_data(as_text=True)
    assert 'value="1000"' not in everything


def test_period_filter_and_bounds(app, api):
    recent = submitted(api, "contributo")
    old = submitted(api, "contributo")
    with app.app_context():
        row = db.session.get(Application, __import__("uuid").UUID(old))
        row.latest_status_change_at = datetime.now(UTC) - timedelta(days=70)
        db.session.commit()
    client = logged_in(app, "operatore")
    assert _ids(client, period="today") == [recent]
    assert _ids(client, period="this_month") == [recent]
    day = (datetime.now(UTC) - timedelta(days=70)).astimezone(ZoneInfo("Europe/Rome")).date()  # the office's day
    assert _ids(client, period="custom", **{"from": str(day - timedelta(days=1)), "to": str(day)}) == [old]
    wednesday = date(2026, 11, 25)
    query = screens.ListQuery(period="last_week")
    start, end = screens.period_bounds(query, wednesday)
    assert start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC) and end == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    start, end = screens.period_bounds(screens.ListQuery(period="last_month"), wednesday)
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC) and end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)


def test_sorting_and_paging(app, api):
    ids = [submitted(api, "contributo") for _ in range(3)]
    client = logged_in(app, "operatore")
    app.config["BACKOFFICE_PAGE_SIZE"] = 2
    try:
        first = _ids(client, sort="submitted_at", dir="asc")
        second = _ids(client, sort="submitted_at", dir="asc", page=2)
    finally:
        app.config["BACKOFFICE_PAGE_SIZE"] = 20
    assert first + second == ids
    assert _ids(client, sort="submitted_at", dir="desc") == ids[::-1]
    assert _ids(client, sort="nonsense; drop table") == ids[::-1]  # unknown sort: the default, newest change first
    html = client.get(LIST, query_string={"sort": "submitted_at", "dir": "asc"}).get_data(as_text=True)
    assert 'aria-sort="ascending"' in html


def test_every_page_and_one_past_the_last_tell_the_same_total(app, api):
    for _ in range(3):
        submitted(api, "contributo")
    client = logged_in(app, "operatore")
    app.config["BACKOFFICE_PAGE_SIZE"] = 2
    try:
        pages = {number: client.get(LIST, query_string={"page": number}).get_data(as_text=True)
                 for number in (1, 2, 3)}
        filtered = client.get(LIST, query_string={"page": 2, "q": "nobody-by-this-name"}).get_data(as_text=True)
    finally:
        app.config["BACKOFFICE_PAGE_SIZE"] = 20
    for number, html in pages.items():
        assert "3 pratiche trovate" in html, number
        assert f"pagina {number} di 2" in html
    assert "0 pratiche trovate" in filtered


def test_parse_query_is_tolerant():
    query = screens.parse_query(MultiDict({"status": "abc", "page": "-3", "handling": "x", "period": "y",
                                                   "from": "2026-13-01", "dir": "sideways"}))
    assert (query.status, query.page, query.handling, query.period, query.date_from, query.direction) == (
        None, 1, "", "", None, "desc")


def test_the_same_list_through_the_api(app, api):
    mine = submitted(api, "contributo")
    act(api, mine, "assign", "operatore")
    submitted(api, "contributo")
    body = api.get("/backoffice/applications?handling=mine&sort=submitted_at", "operatore").get_json()
    assert body["meta"]["count"] == 1 and body["data"][0]["id"] == mine
    assert body["data"][0]["operator"] == "Olivia Operatrice"
    assert api.get("/backoffice/applications", "RSSMRA80A01H501U").status_code == 403
    assert api.get("/backoffice/applications?limit=1000", "operatore").status_code == 400
