"""CSV/XLSX exports (formula injection, chosen fields, streaming) and the statistics page."""

from __future__ import annotations

import io
import zipfile

from tests.backoffice.conftest import logged_in
from tests.webapp.helpers import GIUSEPPINA, act, contributo_data, submitted
from webapp.services.common.tabular import safe_cell

EXPORT = "/demo/backoffice/pratiche/export.{}"


def test_formula_injection_is_neutralised():
    for dangerous in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Mario") == "Mario" and safe_cell(None) == "" and safe_cell(3) == "3"


def test_csv_with_chosen_fields_and_filters(app, api):
    submitted(api, "contributo", contributo_data(motivazione="=HYPERLINK(\"http://x\")"))
    submitted(api, "contributo", contributo_data(nome="Giuseppina", cognome="Verdi", codice_fiscale=GIUSEPPINA),
              user=GIUSEPPINA)
    client = logged_in(app, "operatore")
    response = client.get(EXPORT.format("csv"), query_string={"service": "contributo", "q": "rossi",
                                                              "fields": ["motivazione", "iban", "privacy", "x"]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    header = lines[0].split(";")
    assert header[-2:] == ["Motivazione della richiesta", "IBAN del conto per l'accredito"]  # no boolean fields
    assert len(lines) == 2 and "'=HYPERLINK" in lines[1] and "Giuseppina" not in lines[1]


def test_xlsx_export_is_a_workbook(app, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    client = logged_in(app, "manager")
    response = client.get(EXPORT.format("xlsx"))
    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(response.data))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()  # constant_memory: inline strings
    assert "Olivia Operatrice" in sheet and app_id in sheet
    assert logged_in(app, "manager").get(EXPORT.format("pdf")).status_code == 404


def test_statistics_page(app, api):
    submitted(api, "contributo")
    submitted(api, "accesso-atti", None)
    client = logged_in(app, "operatore")
    html = client.get("/demo/backoffice/statistiche").get_data(as_text=True)
    assert "Servizi digitali attivi</h2>" in html or "Servizi digitali attivi" in html
    assert html.count('role="img"') == 2 and "data-chart=" in html and "aria-label=" in html
    assert "Pratiche inviate nel periodo: 2" in html
    filtered = client.get("/demo/backoffice/statistiche", query_string={
        "service": "contributo", "status": "2000", "period": "12m"}).get_data(as_text=True)
    assert "Pratiche inviate nel periodo: 1" in filtered
    assert "Pratiche inviate nel periodo: 0" in client.get(
        "/demo/backoffice/statistiche", query_string={"status": "7000", "period": "12w"}).get_data(as_text=True)
