"""Models of the back office (issue 4): login throttling and password-reset tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


class LoginThrottle(db.Model):  # type: ignore[name-defined]
    """Failed back-office logins, per account (`user`) and per client address (`ip`)."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    scope: Mapped[str] = mapped_column(String(8), nullable=False)  # user | ip
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasswordResetToken(db.Model):  # type: ignore[name-defined]
    """A single-use link to choose a new password; only the SHA-256 of the token is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
