"""The back office's Servizi section: the services an operator is enabled for (managers and
administrators: all), with how each is configured and how much work waits in it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from webapp.extensions import db
from webapp.models import Application, Service, Tenant, User
from webapp.services.common import policy, statuses

from . import _office_list


@dataclass(frozen=True)
class ServiceOverview:
    service: Service
    version: int
    options: dict[str, Any]
    open_count: int  # not yet concluded (drafts excluded)
    waiting_count: int  # sent and nobody has taken them in charge


def _counts(tenant: Tenant, user: User, *conditions: Any) -> dict[uuid.UUID, int]:
    visible = policy.visible_applications(user, tenant).where(Application.status != statuses.DRAFT, *conditions)
    rows = db.session.execute(visible.with_only_columns(Application.service_id, func.count())
                              .group_by(Application.service_id))
    return {service_id: int(count) for service_id, count in rows}


def enabled_services(tenant: Tenant, user: User) -> list[ServiceOverview]:
    services = _office_list.services_for(tenant, user)
    open_counts = _counts(tenant, user, Application.status.not_in(statuses.FINAL))
    waiting = _counts(tenant, user, Application.operator_id.is_(None),
                      Application.status.in_(_office_list.WAITING))
    return [ServiceOverview(service, service.current_version.version, service.current_version.options,
                            open_counts.get(service.id, 0), waiting.get(service.id, 0)) for service in services]
