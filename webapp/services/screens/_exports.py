"""Exports of the filtered applications list: CSV and XLSX, streamed in constant memory.

Rows come from a server-side cursor (yield_per), a few columns only; cells that a spreadsheet would
read as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe (OWASP CSV injection).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from sqlalchemy import Select
from sqlalchemy.orm import aliased

import forms
from webapp.extensions import db
from webapp.models import Application, Office, Service, Tenant, User
from webapp.services.common import statuses
from webapp.services.common.tabular import csv_text, safe_cell

from . import _office_detail, _office_list

BATCH = 2000
BASE_HEADER = ["ID pratica", "Servizio", "Autenticazione", "Richiedente", "Codice fiscale", "Inviata il",
               "Ultimo cambio di stato", "Stato", "Operatore", "Ufficio", "Priorità", "Protocollo"]


def export_fields(tenant: Tenant, user: User, query: _office_list.ListQuery) -> list[tuple[str, str]]:
    """The chosen form fields that the filtered service really has, with their labels."""
    return [(name, label) for name, label, _node in _export_columns(tenant, user, query)]


def _export_columns(tenant: Tenant, user: User,
                    query: _office_list.ListQuery) -> list[tuple[str, str, dict[str, Any]]]:
    service = _office_list.find_service(tenant, user, query.service)
    if service is None or not query.fields:
        return []
    available = {name: (label, node) for name, label, node in _office_detail.exportable_fields(
        service.current_version)}
    return [(name, *available[name]) for name in query.fields if name in available]


def _rows_select(tenant: Tenant, user: User, query: _office_list.ListQuery, with_data: bool) -> Select[Any]:
    operator, office = aliased(User), aliased(Office)
    ids = _office_list.ordered(_office_list.filtered(tenant, user, query), query)
    columns: list[Any] = [Application.id, Service.name, Application.auth_method, Application.applicant_name,
               Application.applicant_fiscal_code, Application.submitted_at, Application.latest_status_change_at,
               Application.status, operator.name, operator.family_name, office.name, Application.priority,
               Application.protocol_number]
    if with_data:
        columns.append(Application.data)
    return (ids.with_only_columns(*columns, maintain_column_froms=False)
            .join(Service, Service.id == Application.service_id)
            .outerjoin(operator, operator.id == Application.operator_id)
            .outerjoin(office, office.id == Application.office_id))


def rows(tenant: Tenant, user: User, query: _office_list.ListQuery) -> Iterator[list[str]]:
    """Header, then one list of cell texts per application, fetched in batches from a server-side cursor."""
    fields = _export_columns(tenant, user, query)
    yield BASE_HEADER + [label for _name, label, _node in fields]
    select = _rows_select(tenant, user, query, with_data=bool(fields))
    result = db.session.execute(select.execution_options(yield_per=BATCH))
    for row in result:
        operator_name = f"{row[8] or ''} {row[9] or ''}".strip()
        cells = [row[0], row[1], (row[2] or "").upper(), row[3], row[4], row[5], row[6], statuses.label(row[7]),
                 operator_name, row[10], row[11], row[12]]
        if fields:
            data = row[13] or {}
            cells.extend(forms.value_text(node, data.get(name)) for name, _label, node in fields)
        yield [safe_cell(cell) for cell in cells]
    result.close()


def csv_stream(tenant: Tenant, user: User, query: _office_list.ListQuery) -> Iterator[str]:
    return csv_text(rows(tenant, user, query))


def xlsx_stream(tenant: Tenant, user: User, query: _office_list.ListQuery,
                chunk: int = 64 * 1024) -> Iterator[bytes]:
    """XLSX built by XlsxWriter in constant_memory mode into a temporary file, then streamed."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "tmpdir": tempfile.gettempdir()})
        sheet = book.add_worksheet("Pratiche")
        for index, cells in enumerate(rows(tenant, user, query)):
            sheet.write_row(index, 0, cells)
        book.close()
        with open(path, "rb") as stream:
            while block := stream.read(chunk):
                yield block
    finally:
        os.unlink(path)
