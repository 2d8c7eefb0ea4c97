"""Service ratings (C.SE.1.7): anonymous, one row per answer of the rating component, at the end of any flow."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


class ServiceRating(db.Model):  # type: ignore[name-defined]
    __tablename__ = "service_ratings"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="SET NULL"), index=True)
    score: Mapped[int] = mapped_column(Integer, nullable=False)  # 1..5 stars
    answers: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # keys, see services.feedback
    comment: Mapped[str | None] = mapped_column(String(200))
    # Which flow it ended (catalogue.RATING_FLOWS: invio, prenotazione, integrazione, ...), for the statistics.
    flow: Mapped[str] = mapped_column(String(32), nullable=False, default="invio", server_default="invio",
                                      index=True)
    created_at: Mapped[datetime] = created_at()
