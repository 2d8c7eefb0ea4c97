"""SAML bookkeeping kept on the server: the AuthnRequests we sent (each answerable once), the
assertions we accepted (never accepted twice) and each ente's own SP key pairs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


class SamlRequest(db.Model):  # type: ignore[name-defined]
    """An AuthnRequest sent to an identity provider; a response must answer one that is not used yet."""

    __tablename__ = "saml_requests"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    request_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # Opaque token sent as RelayState: the IdP echoes it, it names the request without exposing next_url.
    relay_state: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    method: Mapped[str] = mapped_column(String(8), nullable=False)  # spid | cie
    idp_entity_id: Mapped[str] = mapped_column(String(512), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)  # SpidL1|SpidL2|SpidL3
    issue_instant: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    next_url: Mapped[str] = mapped_column(String(1024), nullable=False)
    created_at: Mapped[datetime] = created_at()
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SamlAssertion(db.Model):  # type: ignore[name-defined]
    """An assertion already accepted: the same one presented again is a replay."""

    __tablename__ = "saml_assertions"
    __table_args__ = (UniqueConstraint("idp_entity_id", "assertion_id", name="uq_saml_assertions_idp_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    idp_entity_id: Mapped[str] = mapped_column(String(512), nullable=False)
    assertion_id: Mapped[str] = mapped_column(String(256), nullable=False)
    not_on_or_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class SamlKeyPair(db.Model):  # type: ignore[name-defined]
    """One of the ente's SP key pairs (SPID wants the certificate to name the ente). The newest one not
    retired signs; a retired one stays published in the metadata for a while, so the identity providers
    can move to the new certificate. The private key is a Fernet token, never stored in clear."""

    __tablename__ = "saml_key_pairs"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    certificate: Mapped[str] = mapped_column(Text, nullable=False)  # PEM
    private_key: Mapped[str] = mapped_column(Text, nullable=False)  # PEM, encrypted (ente_settings)
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = created_at()
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
