"""The rating component (C.SE.1.7): how easy the service was, 1-5 stars, then what went well or
badly (the choices depend on the score), then a short comment. Anonymous: no user is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_

from webapp.extensions import db
from webapp.models import Service, ServiceRating, Tenant
from webapp.services.common.errors import FieldProblem, NotFound, ValidationFailed
from webapp.services.common.statuses import N_
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from ._services import get_service

# Answer keys, in the order the component shows them; the pages carry the AgID wording.
NEGATIVE = ("unclear", "incomplete", "unsure", "technical", "other")
POSITIVE = ("clear", "complete", "sure", "no_technical", "other_positive")
COMMENT_MAX = 200
# The flows that end with the component, and how the statistics name them.
RATING_FLOWS = {
    "invio": N_("Invio della richiesta"),
    "seguito": N_("Richiesta successiva"),
    "prenotazione": N_("Prenotazione appuntamento"),
    "integrazione": N_("Invio delle integrazioni"),
    "ritiro": N_("Ritiro della pratica"),
    "pagamento": N_("Pagamento"),
    "attivita": N_("Attività completata"),
}


def parse_score(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


def choices_for(score: int) -> tuple[str, ...]:
    """1-3 stars: where it was hard; 4-5: what was liked best."""
    return NEGATIVE if score <= 3 else POSITIVE


def record(tenant: Tenant, service_key: str, raw_score: object, answers: Iterable[str], comment: str,
           flow: str = "invio") -> None:
    """Answers of the other polarity (possible without JavaScript, where both lists show) are dropped.
    A flow with no single service (a booking for no service, a payment of several notices) gives none."""
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
    if flow not in RATING_FLOWS:
        problems.append(FieldProblem("/flow", "Percorso sconosciuto.", "enum"))
    service: Service | None = None
    if service_key:
        try:
            service = get_service(tenant, service_key)
        except NotFound:
            problems.append(FieldProblem("/service", "Servizio sconosciuto.", "enum"))
    if problems:
        raise ValidationFailed(problems)
    assert score is not None
    kept = [a for a in choices_for(score) if a in given]
    with unit_of_work():
        db.session.add(ServiceRating(tenant_id=tenant.id, service_id=service.id if service else None, score=score,
                                     answers=kept, comment=text or None, flow=flow))


@dataclass(frozen=True)
class RatingSummary:
    service: str | None  # None: a flow of no single service (a general booking, a payment)
    count: int
    average: float
    flow: str = "invio"

    @property
    def flow_label(self) -> str:
        return RATING_FLOWS.get(self.flow, self.flow)


def summary(tenant: Tenant, services: Iterable[Service]) -> list[RatingSummary]:
    """Per service among `services` and flow: how many ratings and their average, most rated first.
    Ratings of no single service are anonymous and tied to nobody's office: everyone sees them."""
    visible = [service.id for service in services]
    query = (scoped(ServiceRating, tenant).outerjoin(Service, Service.id == ServiceRating.service_id)
             .where(or_(Service.id.in_(visible), ServiceRating.service_id.is_(None)))
             .with_only_columns(Service.name, ServiceRating.flow, func.count(ServiceRating.id),
                                func.avg(ServiceRating.score))
             .group_by(Service.name, ServiceRating.flow)
             .order_by(func.count(ServiceRating.id).desc(), Service.name, ServiceRating.flow))
    return [RatingSummary(name, int(count), round(float(average), 1), flow) for name, flow, count, average in
            db.session.execute(query)]
