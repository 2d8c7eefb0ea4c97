"""Statistiche: active services, applications per year, trend chart with a data table, ratings."""

from __future__ import annotations

import json

from flask import render_template, request

from webapp.services import catalogue, screens
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp


@bp.get("/statistiche", endpoint="statistics")
def statistics_page() -> str:
    asked = request.args.get("period") or ""
    period = asked if asked in screens.TREND_PERIODS else "30d"
    service = (request.args.get("service") or "")[:100]
    raw_status = request.args.get("status") or ""
    status = int(raw_status) if raw_status.isdigit() and len(raw_status) < 7 else None
    trend = screens.trend(tenant(), staff(), period, service, status)
    chosen = screens.find_service(tenant(), staff(), service)
    chart = {"labels": trend.labels, "values": trend.values, "label": "Pratiche inviate"}
    years = screens.per_year(tenant(), staff())
    visible_services = screens.services_for(tenant(), staff())
    return render_template(
        "backoffice/statistics.html", section="statistics", trend=trend, chart=json.dumps(chart),
        years=years, years_chart=json.dumps({"labels": [str(y) for y, _n in years], "values": [n for _y, n in years],
                                             "label": "Pratiche per anno"}),
        services=screens.active_services(tenant(), staff()), periods=screens.TREND_PERIODS, period=period,
        service=service, status=status,
        service_options=[(s.slug, s.name) for s in visible_services],
        ratings=catalogue.summary(tenant(), visible_services),
        status_options=screens.status_options(chosen.current_version if chosen else None),
    )
