"""Statistics for the back office: active services, applications per year, a trend by period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func

from webapp.extensions import db
from webapp.models import Application, Service, Tenant, User
from webapp.services.common import localtime, policy, statuses

from . import _office_list

TREND_PERIODS = {"30d": "Ultimi 30 giorni (per giorno)", "12w": "Ultime 12 settimane (per settimana)",
           "12m": "Ultimi 12 mesi (per mese)"}
GRAIN = {"30d": "day", "12w": "week", "12m": "month"}


@dataclass(frozen=True)
class Trend:
    labels: list[str]
    values: list[int]
    grain: str


def _visible(tenant: Tenant, user: User) -> Any:
    return policy.visible_applications(user, tenant).where(Application.status != statuses.DRAFT)


def active_services(tenant: Tenant, user: User) -> list[tuple[Service, int]]:
    """Services available now (those the operator is enabled for), with their applications."""
    services = [s for s in _office_list.services_for(tenant, user) if s.status == 1]
    visible = _visible(tenant, user).subquery()
    counts = dict(db.session.execute(
        db.select(visible.c.service_id, func.count()).group_by(visible.c.service_id)).all())
    return [(service, int(counts.get(service.id, 0))) for service in services]


def per_year(tenant: Tenant, user: User) -> list[tuple[int, int]]:
    """Submissions per year on the offices' clock (23:30 UTC on 31 December is already next year)."""
    visible = _visible(tenant, user).where(Application.submitted_at.is_not(None)).subquery()
    if db.engine.dialect.name == "sqlite":  # the demo's database has no time zones: count in Python
        moments = db.session.scalars(db.select(visible.c.submitted_at))
        return sorted(Counter(localtime.local(moment).year for moment in moments).items())
    year = func.cast(func.extract("year", func.timezone(localtime.ROME.key, visible.c.submitted_at)), db.Integer)
    rows = db.session.execute(db.select(year.label("year"), func.count()).group_by("year").order_by("year")).all()
    return [(int(y), int(n)) for y, n in rows if y is not None]


def _bucket(moment: datetime, grain: str) -> date:
    day = localtime.local_day(moment)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _buckets(grain: str, today: date) -> list[date]:
    if grain == "day":
        return [today - timedelta(days=n) for n in range(29, -1, -1)]
    if grain == "week":
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    first, months = today.replace(day=1), []
    for _ in range(12):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def trend(tenant: Tenant, user: User, period: str, service: str = "", status: int | None = None) -> Trend:
    """Applications submitted per day, week or month; bucketed in Python (portable, few rows per bucket)."""
    grain = GRAIN.get(period, "day")
    buckets = _buckets(grain, localtime.today())
    start = localtime.start_of_day(buckets[0])
    query = _visible(tenant, user).where(Application.submitted_at >= start)
    chosen = _office_list.find_service(tenant, user, service)
    if service:
        query = query.where(Application.service_id == (chosen.id if chosen else None))
    if status is not None:
        query = query.where(Application.status == status)
    counts = dict.fromkeys(buckets, 0)
    moments = db.session.scalars(query.with_only_columns(Application.submitted_at).execution_options(yield_per=5000))
    for moment in moments:
        key = _bucket(moment, grain)
        if key in counts:
            counts[key] += 1
    fmt = "%m/%Y" if grain == "month" else "%d/%m"
    return Trend([day.strftime(fmt) for day in buckets], list(counts.values()), grain)
