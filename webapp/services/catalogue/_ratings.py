"""The rating component (C.SE.1.7): how easy the service was, 1-5 stars, then what went well or
badly (the choices depend on the score), then a short comment. Anonymous: no user is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func

from webapp.extensions import db
from webapp.models import Service, ServiceRating, Tenant
from webapp.services.common.errors import FieldProblem, NotFound, ValidationFailed
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from ._services import get_service

# Answer keys, in the order the component shows them; the pages carry the AgID wording.
NEGATIVE = ("unclear", "incomplete", "unsure", "technical", "other")
POSITIVE = ("clear", "complete", "sure", "no_technical", "other_positive")
COMMENT_MAX = 200


def parse_score(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def choices_for(score: int) -> tuple[str, ...]:
    """1-3 stars: where it was hard; 4-5: what was liked best."""
    return NEGATIVE if score <= 3 else POSITIVE


def record(tenant: Tenant, service_key: str, raw_score: object, answers: Iterable[str], comment: str) -> None:
    """Answers of the other polarity (possible without JavaScript, where both lists show) are dropped."""
    problems = []
    score = parse_score(raw_score)
    if score is None:
        problems.append(FieldProblem("/score", "Scegli da 1 a 5 stelle.", "required"))
    given = [str(a) for a in answers]
    if any(a not in NEGATIVE + POSITIVE for a in given):
        problems.append(FieldProblem("/answers", "Una delle risposte non è tra quelle previste.", "enum"))
    text = comment.strip()
    if len(text) > COMMENT_MAX:
        problems.append(FieldProblem("/comment", f"Il commento può avere al massimo {COMMENT_MAX} caratteri.",
                                     "maxLength"))
    try:
        service = get_service(tenant, service_key)
    except NotFound:
        problems.append(FieldProblem("/service", "Servizio sconosciuto.", "enum"))
    if problems:
        raise ValidationFailed(problems)
    assert score is not None
    kept = [a for a in choices_for(score) if a in given]
    with unit_of_work():
        db.session.add(ServiceRating(tenant_id=tenant.id, service_id=service.id, score=score, answers=kept,
                                     comment=text or None))


@dataclass(frozen=True)
class RatingSummary:
    service: str
    count: int
    average: float


def summary(tenant: Tenant, services: Iterable[Service]) -> list[RatingSummary]:
    """Per service among `services`: how many ratings and their average, most rated first."""
    query = (scoped(ServiceRating, tenant).join(Service, Service.id == ServiceRating.service_id)
             .where(Service.id.in_([service.id for service in services]))
             .with_only_columns(Service.name, func.count(ServiceRating.id), func.avg(ServiceRating.score))
             .group_by(Service.name).order_by(func.count(ServiceRating.id).desc(), Service.name))
    return [RatingSummary(name, int(count), round(float(average), 1)) for name, count, average in
            db.session.execute(query)]
