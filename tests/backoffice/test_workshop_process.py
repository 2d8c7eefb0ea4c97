"""The modeller's page and its XML endpoint: who sees what, saving with the revision (stale -> 409), the
server's check coming back with each save, and the page's markup under the CSP (no inline scripts or styles)."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from tests.backoffice.conftest import logged_in

BASE = "/demo/backoffice/gestione-servizi"
PAGE = f"{BASE}/occupazione-suolo/processo"
XML = f"{PAGE}/bpmn"
TOKEN = re.compile(r'data-csrf="([^"]+)"')


def attribute(html: str, name: str) -> str:
    match = re.search(f'{name}="([^"]*)"', html)
    assert match, name
    return unescape(match.group(1))


def put(client: Any, xml: str, if_match: int | None, *, token: str | None = None, **body: Any) -> Any:
    if token is None:
        token = TOKEN.search(client.get(PAGE).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    headers = {"X-CSRFToken": token}
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"'
    return client.put(XML, data=json.dumps({"xml": xml, **body}), content_type="application/json", headers=headers)


def test_an_administrator_gets_the_modeller_with_its_choices_and_the_servers_check(app):
    client = logged_in(app, "admin")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert attribute(html, "data-readonly") == "false" and 'id="wk-save"' in html and 'id="wk-upload"' in html
    choices = json.loads(attribute(html, "data-choices"))
    assert {"value": "sub_pagamento"} in [{"value": f["value"]} for f in choices["fragments"]]
    assert "parere" in [f["value"] for f in choices["forms"]]
    assert json.loads(attribute(html, "data-problems")) == []  # the shipped process publishes as it is
    assert re.search(r"/static/vendor/bpmn/workshop-modeller\.[0-9a-f]+\.js", html)  # content-hashed name
    # CSP: every script is a file, and no element carries a style attribute
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
    xml = client.get(XML)
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert 'id="svc_occupazione_suolo"' in xml.get_data(as_text=True)
    assert xml.headers["ETag"] == f'"{attribute(html, "data-revision")}"'


def test_saving_bumps_the_revision_a_stale_one_is_refused_and_problems_come_back(app):
    client = logged_in(app, "admin")
    html = client.get(PAGE).get_data(as_text=True)
    revision = int(attribute(html, "data-revision"))
    original = client.get(XML).get_data(as_text=True)
    changed = original.replace('name="Istruttoria ed esito"', 'name="Istruttoria"')
    saved = put(client, changed, revision)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.json == {"revision": revision + 1, "problems": []}
    assert 'name="Istruttoria"' in client.get(XML).get_data(as_text=True)
    stale = put(client, original, revision)
    assert stale.status_code == 409 and "nel frattempo" in stale.json["message"]
    assert 'name="Istruttoria"' in client.get(XML).get_data(as_text=True)
    # a user task without its form saves (a draft may be broken) and the answer names the element
    broken = changed.replace('<spiffworkflow:property name="form" value="esito" />', "")
    answer = put(client, broken, None, revision=revision + 1)  # the body's revision when If-Match is absent
    assert answer.status_code == 200
    assert answer.json["revision"] == revision + 2
    assert [p["element"] for p in answer.json["problems"]] == ["ut_review"]
    assert json.loads(attribute(client.get(PAGE).get_data(as_text=True), "data-problems"))[0]["element"] == "ut_review"


@pytest.mark.parametrize("body, status", [({"xml": ""}, 400), ({}, 400), ({"xml": "<x/>"}, 428)])
def test_a_save_needs_the_xml_and_the_revision(app, body, status):
    client = logged_in(app, "admin")
    token = TOKEN.search(client.get(PAGE).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    response = client.put(XML, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == status


def test_a_save_without_the_csrf_token_is_refused(app):
    client = logged_in(app, "admin")
    response = put(client, client.get(XML).get_data(as_text=True), 1, token="wrong")
    assert response.status_code == 400


def test_managers_see_it_read_only_and_cannot_save(app):
    client = logged_in(app, "manager")
    html = client.get(PAGE).get_data(as_text=True)
    assert attribute(html, "data-readonly") == "true"
    assert 'id="wk-save"' not in html and 'id="wk-upload"' not in html and "Sola lettura" in html
    assert client.get(XML).status_code == 200
    assert put(client, client.get(XML).get_data(as_text=True), 1).status_code == 403


def test_operators_are_not_told_the_page_exists(app):
    client = logged_in(app, "operatore")
    assert client.get(PAGE).status_code == 404
    assert client.get(XML).status_code == 404
    assert client.get(f"{BASE}/non-esiste/processo").status_code == 404


def test_an_unknown_service_is_404_and_one_on_the_shared_lifecycle_has_no_process(app):
    client = logged_in(app, "admin")
    assert client.get(f"{BASE}/non-esiste/processo").status_code == 404
    page = client.get(f"{BASE}/accesso-atti/processo")
    assert page.status_code == 200 and "procedimento standard" in page.get_data(as_text=True)
    assert client.get(f"{BASE}/accesso-atti/processo/bpmn").status_code == 404
