"""The service page as AgID's checker reads it (ui.md §3.1, C.SI.1.3): the data-element set, the
page index in the required order, and the schema.org structured data."""

from __future__ import annotations

import json
import re

REQUIRED_IN_ORDER = ["service-addressed", "service-how-to", "service-needed", "service-achieved",
                     "service-calendar-text", "service-online-access", "service-file", "service-area"]


def test_service_page_has_every_checked_element_in_order(app):
    page = app.test_client().get("/demo/servizi/accesso-atti").get_data(as_text=True)
    for element in ("service-title", "service-description", "service-status", "page-index"):
        assert f'data-element="{element}"' in page, element
    positions = [page.find(f'data-element="{element}"') for element in REQUIRED_IN_ORDER]
    assert -1 not in positions, dict(zip(REQUIRED_IN_ORDER, positions, strict=True))
    assert positions == sorted(positions)
    index = page.split('data-element="page-index"')[1].split("</ul>")[0]
    titles = re.findall(r">([^<>]+)</a>", index)
    assert titles[:2] == ["A chi è rivolto", "Descrizione"] and "Contatti" in titles


def test_structured_data_describes_the_government_service(app):
    page = app.test_client().get("/demo/servizi/contributo").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json" data-element="metatag">(.*?)</script>', page, re.S)
    assert block, "no JSON-LD block"
    data = json.loads(block.group(1))
    assert data["@type"] == "GovernmentService" and data["name"] == "Richiesta di contributo economico"
    assert data["serviceOperator"]["name"] == "Comune di Demo"
    assert data["url"].endswith("/demo/servizi/contributo")
    assert data["description"]
