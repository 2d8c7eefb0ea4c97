"""protocol registrations: each registered document of an application, with its own PDF; numbers unique
per ente and year

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protocol_registrations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("handler", sa.String(length=16), nullable=False),
        sa.Column("attachment_id", sa.Uuid(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("document_id", sa.String(length=128), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["call_id"], ["service_calls.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id"),
        sa.UniqueConstraint("tenant_id", "year", "number", name="uq_protocol_registrations_number"),
    )
    op.create_index("ix_protocol_registrations_tenant_id", "protocol_registrations", ["tenant_id"])
    op.create_index("ix_protocol_registrations_application_id", "protocol_registrations", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_protocol_registrations_application_id", table_name="protocol_registrations")
    op.drop_index("ix_protocol_registrations_tenant_id", table_name="protocol_registrations")
    op.drop_table("protocol_registrations")
