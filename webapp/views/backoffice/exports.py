"""Exports of the filtered list (CSV and XLSX), streamed."""

from __future__ import annotations

from flask import Response, abort, current_app, request, stream_with_context

from webapp.services import backoffice_list, exports, localtime
from webapp.views.backoffice import bp
from webapp.views.backoffice._common import staff, tenant

TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/pratiche/export.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in TYPES:
        abort(404)
    query = backoffice_list.parse_query(request.args, current_app.config["BACKOFFICE_PAGE_SIZE"])
    stream = (exports.csv_stream if fmt == "csv" else exports.xlsx_stream)(tenant(), staff(), query)
    name = f"pratiche-{tenant().slug}-{localtime.local(localtime.now()):%Y%m%d-%H%M}.{fmt}"
    return Response(stream_with_context(stream), mimetype=TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})
