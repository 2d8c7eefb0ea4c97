"""Static pages for the BPMN modeller and viewer bundles, served through Playwright's routing under the
app's own Content-Security-Policy, so the bundles are tested in a real browser before (and apart from)
the pages that embed them. Any CSP violation the page reports is collected."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from webapp.views.web import CSP

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "webapp" / "static"
ORIGIN = "http://harness.test"
POLICY = CSP.format(checkout="").replace(" ;", ";")
TYPES = {".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff",
         ".svg": "image/svg+xml"}
CHOICES = {
    "forms": [{"value": "domanda", "label": "Domanda"}, {"value": "esito", "label": "Esito"},
              {"value": "parere", "label": "Parere"}, {"value": "presa_in_carico", "label": "Presa in carico"}],
    "candidates": [{"value": "cittadino", "label": "Il cittadino"}, {"value": "ufficio", "label": "L'ufficio"},
                   {"value": "ufficio:urp", "label": "Ufficio URP"},
                   {"value": "ufficio:tecnico", "label": "Ufficio tecnico"}],
    "operations": [{"value": "payment.create_debt_position", "label": "Crea posizione debitoria"},
                   {"value": "protocol.register_application", "label": "Protocolla"}],
    "fragments": [{"value": "sub_receipt", "label": "Ricevuta"}, {"value": "sub_protocollo", "label": "Protocollo"},
                  {"value": "sub_pagamento", "label": "Pagamento"}],
    "templates": [{"value": "domanda_respinta", "label": "Domanda respinta"},
                  {"value": "sollecito_parere", "label": "Sollecito parere"}],
    "statuses": [{"value": "1000", "label": "1000 In compilazione"}, {"value": "4000", "label": "4000 In istruttoria"},
                 {"value": "7000", "label": "7000 Accolta"}],
}
HEAD = ('<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{title}</title>'
        '<link rel="stylesheet" href="/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css">'
        '<link rel="stylesheet" href="/static/vendor/bpmn/diagram-js.css">'
        '<link rel="stylesheet" href="/static/vendor/bpmn/bpmn-js.css">'
        '<link rel="stylesheet" href="/static/vendor/bpmn/bpmn-font/css/bpmn.css">'
        '<link rel="stylesheet" href="/static/css/workshop-process.css">'
        '<script src="/static/vendor/bpmn/{bundle}.js" defer></script></head><body><main class="container">')


def modeller_page(*, readonly: bool = False, problems: list[dict[str, Any]] | None = None) -> str:
    """The modeller's markup as the workshop page renders it (kept in step with process.html)."""
    attrs = {"data-xml-url": "/harness/process.bpmn", "data-save-url": "/harness/save", "data-revision": "1",
             "data-readonly": "true" if readonly else "false", "data-csrf": "token-123",
             "data-choices": json.dumps(CHOICES), "data-filename": "process.bpmn"}
    if problems is not None:
        attrs["data-problems"] = json.dumps(problems)
    root = " ".join(f'{key}="{escape(value)}"' for key, value in attrs.items())
    edit = "" if readonly else (
        '<button type="button" id="wk-save" class="btn btn-primary">Salva</button>'
        '<label class="wk-upload">Carica BPMN <input type="file" id="wk-upload" accept=".bpmn,.xml"></label>')
    append = "" if readonly else (
        '<div class="wk-append"><div class="wk-field"><label for="wk-append-type">Aggiungi dopo l’elemento selezionato'
        '</label><select id="wk-append-type" class="form-select"></select></div>'
        '<button type="button" id="wk-append" class="btn btn-outline-primary">Aggiungi</button></div>')
    return (HEAD.format(title="Modellatore", bundle="workshop-modeller") +
            f'<h1>Processo</h1><div id="wk-modeller" {root}>'
            f'<div class="wk-toolbar">{edit}<button type="button" id="wk-download" class="btn btn-outline-primary">'
            'Scarica BPMN</button></div><p id="wk-status" class="wk-status" role="status" aria-live="polite"></p>'
            '<div class="wk-layout"><div id="wk-canvas" class="wk-canvas"></div>'
            '<aside class="wk-panel" aria-labelledby="wk-panel-heading">'
            '<h2 id="wk-panel-heading" class="h5">Proprietà</h2>'
            '<div class="wk-field"><label for="wk-elements">Elemento</label>'
            f'<select id="wk-elements" class="form-select"></select></div>{append}'
            '<div id="wk-properties"></div></aside></div>'
            '<section class="wk-problems" aria-labelledby="wk-problems-heading">'
            '<h2 id="wk-problems-heading" class="h5">'
            'Problemi</h2><h3 class="h6">Controllo del server</h3><ul id="wk-problems-server"></ul>'
            '<h3 class="h6">Controllo rapido</h3><ul id="wk-problems-quick"></ul></section></div></main></body></html>')


def viewer_page(trail: dict[str, list[str]]) -> str:
    return (HEAD.format(title="Visualizzatore", bundle="process-viewer") +
            '<h1>Iter della pratica</h1><div id="viewer" data-process-viewer data-xml-url="/harness/process.bpmn" '
            f'data-trail="{escape(json.dumps(trail))}"></div></main></body></html>')


class Harness:
    """Routes http://harness.test/ on one page: `/` the given HTML, /static/ from disk, /harness/ the
    process XML and the save endpoint (which records each body and answers `save_response`)."""

    def __init__(self, page: Any, html: str, xml: str) -> None:
        self.page, self.html, self.xml = page, html, xml
        self.saved: list[dict[str, Any]] = []
        self.save_headers: list[dict[str, str]] = []
        self.save_response: tuple[int, dict[str, Any]] = (200, {"revision": 2, "problems": []})
        self.violations: list[str] = []
        page.on("console", self._console)
        page.route(f"{ORIGIN}/**", self._serve)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.violations.append(message.text)

    def _serve(self, route: Any) -> None:
        request = route.request
        path = request.url.removeprefix(ORIGIN).split("?")[0]
        if path == "/":
            route.fulfill(status=200, body=self.html, headers={"Content-Type": "text/html; charset=utf-8",
                                                                "Content-Security-Policy": POLICY})
        elif path.startswith("/static/"):
            file = STATIC / path.removeprefix("/static/")
            if not file.is_file():
                route.fulfill(status=404, body="")
                return
            route.fulfill(status=200, body=file.read_bytes(),
                          headers={"Content-Type": TYPES.get(file.suffix, "application/octet-stream")})
        elif path == "/harness/process.bpmn":
            route.fulfill(status=200, body=self.xml, headers={"Content-Type": "application/xml"})
        elif path == "/harness/save" and request.method == "PUT":
            self.saved.append(json.loads(request.post_data))
            self.save_headers.append(request.headers)
            status, body = self.save_response
            route.fulfill(status=status, body=json.dumps(body), headers={"Content-Type": "application/json"})
        else:
            route.fulfill(status=404, body="")

    def open(self) -> None:
        self.page.goto(f"{ORIGIN}/")
