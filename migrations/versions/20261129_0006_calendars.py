"""calendars and the operators enabled for them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("rolling_days", sa.Integer(), nullable=False),
        sa.Column("minimum_scheduling_notice", sa.Integer(), nullable=False),
        sa.Column("allow_cancel_days", sa.Integer(), nullable=False),
        sa.Column("drafts_duration", sa.Integer(), nullable=False),
        sa.Column("drafts_duration_increment", sa.Integer(), nullable=False),
        sa.Column("is_moderated", sa.Boolean(), nullable=False),
        sa.Column("allow_overlaps", sa.Boolean(), nullable=False),
        sa.Column("notify_operators", sa.Boolean(), nullable=False),
        sa.Column("notify_citizens", sa.Boolean(), nullable=False),
        sa.Column("max_bookings", sa.Integer(), nullable=True),
        sa.Column("booking_period", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "title"),
    )
    op.create_index("ix_calendars_tenant_id", "calendars", ["tenant_id"])
    op.add_column("users", sa.Column("calendar_notifications", sa.JSON(), nullable=True))
    op.create_table(
        "operator_calendars",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["calendars.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "calendar_id"),
    )


def downgrade() -> None:
    op.drop_table("operator_calendars")
    op.drop_column("users", "calendar_notifications")
    op.drop_table("calendars")
