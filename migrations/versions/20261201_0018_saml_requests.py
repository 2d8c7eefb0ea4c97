"""saml requests and assertions: InResponseTo checked against requests sent, assertions never replayed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saml_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("relay_state", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("idp_entity_id", sa.String(length=512), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("issue_instant", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_url", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
        sa.UniqueConstraint("relay_state"),
    )
    op.create_index("ix_saml_requests_tenant_id", "saml_requests", ["tenant_id"])
    op.create_table(
        "saml_assertions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("idp_entity_id", sa.String(length=512), nullable=False),
        sa.Column("assertion_id", sa.String(length=256), nullable=False),
        sa.Column("not_on_or_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idp_entity_id", "assertion_id", name="uq_saml_assertions_idp_id"),
    )
    op.create_index("ix_saml_assertions_tenant_id", "saml_assertions", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_saml_assertions_tenant_id", table_name="saml_assertions")
    op.drop_table("saml_assertions")
    op.drop_index("ix_saml_requests_tenant_id", table_name="saml_requests")
    op.drop_table("saml_requests")
