"""payments, revenue stamps, notice counters; prepared data of service calls

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=140), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("iupd", sa.String(length=64), nullable=True),
        sa.Column("notice_number", sa.String(length=18), nullable=True),
        sa.Column("iuv", sa.String(length=17), nullable=True),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_id", sa.String(length=64), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("stamp_identifier", sa.String(length=14), nullable=True),
        sa.Column("stamp_issued_on", sa.String(length=10), nullable=True),
        sa.Column("registered_manually_by", sa.Uuid(), nullable=True),
        sa.Column("registered_manually_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registered_manually_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_id"),
        sa.UniqueConstraint("tenant_id", "notice_number"),
    )
    op.create_index("ix_payments_application_id", "payments", ["application_id"])
    op.create_index("ix_payments_tenant_id", "payments", ["tenant_id"])
    op.create_index("ix_payments_user", "payments", ["tenant_id", "user_id", "status"])
    op.create_table(
        "stamp_uses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=14), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "identifier"),
    )
    op.create_index("ix_stamp_uses_application_id", "stamp_uses", ["application_id"])
    op.create_index("ix_stamp_uses_tenant_id", "stamp_uses", ["tenant_id"])
    op.create_table(
        "notice_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    op.add_column("service_calls", sa.Column("prepared", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("service_calls", "prepared")
    op.drop_table("notice_counters")
    op.drop_index("ix_stamp_uses_tenant_id", table_name="stamp_uses")
    op.drop_index("ix_stamp_uses_application_id", table_name="stamp_uses")
    op.drop_table("stamp_uses")
    op.drop_index("ix_payments_user", table_name="payments")
    op.drop_index("ix_payments_tenant_id", table_name="payments")
    op.drop_index("ix_payments_application_id", table_name="payments")
    op.drop_table("payments")
