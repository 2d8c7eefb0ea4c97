"""Statistiche: active services, applications per year, trend chart with a data table, ratings."""

from __future__ import annotations

import json

from flask import render_template, request

from webapp.services import backoffice_list, feedback, statistics
from webapp.views.backoffice import bp
from webapp.views.backoffice._common import staff, tenant


@bp.get("/statistiche", endpoint="statistics")
def statistics_page() -> str:
    period = request.args.get("period") if request.args.get("period") in statistics.TREND_PERIODS else "30d"
    service = (request.args.get("service") or "")[:100]
    raw_status = request.args.get("status") or ""
    status = int(raw_status) if raw_status.isdigit() and len(raw_status) < 7 else None
    trend = statistics.trend(tenant(), staff(), period, service, status)
    chosen = backoffice_list.find_service(tenant(), staff(), service)
    chart = {"labels": trend.labels, "values": trend.values, "label": "Pratiche inviate"}
    years = statistics.per_year(tenant(), staff())
    visible_services = backoffice_list.services_for(tenant(), staff())
    return render_template(
        "backoffice/statistics.html", section="statistics", trend=trend, chart=json.dumps(chart),
        years=years, years_chart=json.dumps({"labels": [str(y) for y, _n in years], "values": [n for _y, n in years],
                                             "label": "Pratiche per anno"}),
        services=statistics.active_services(tenant(), staff()), periods=statistics.TREND_PERIODS, period=period,
        service=service, status=status,
        service_options=[(s.slug, s.name) for s in visible_services],
        ratings=feedback.summary(tenant(), visible_services),
        status_options=backoffice_list.status_options(chosen.current_version if chosen else None),
    )
