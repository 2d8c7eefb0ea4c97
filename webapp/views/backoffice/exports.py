"""Exports of the filtered list (CSV and XLSX), streamed."""

from __future__ import annotations

from flask import Response, abort, current_app, request, stream_with_context

from webapp.services import screens
from webapp.services.common import localtime, uploads
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/pratiche/export.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in TYPES:
        abort(404)
    query = screens.parse_query(request.args, current_app.config["BACKOFFICE_PAGE_SIZE"])
    stream = (screens.csv_stream if fmt == "csv" else screens.xlsx_stream)(tenant(), staff(), query)
    name = f"pratiche-{tenant().slug}-{localtime.local(localtime.now()):%Y%m%d-%H%M}.{fmt}"
    return Response(stream_with_context(stream), mimetype=TYPES[fmt], headers={
        "Content-Disposition": uploads.content_disposition(name), "X-Content-Type-Options": "nosniff"})
