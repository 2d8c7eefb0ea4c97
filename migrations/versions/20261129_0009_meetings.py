"""meetings (appointments booked on calendars)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=False),
        sa.Column("opening_hour_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=True),
        sa.Column("fiscal_code", sa.String(length=16), nullable=True),
        sa.Column("from_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("user_message", sa.Text(), nullable=False),
        sa.Column("motivation_outcome", sa.Text(), nullable=True),
        sa.Column("videoconference_link", sa.String(length=500), nullable=True),
        sa.Column("rescheduled", sa.Integer(), nullable=False),
        sa.Column("cancel_token", sa.String(length=64), nullable=False),
        sa.Column("draft_expiration", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["calendar_id"], ["calendars.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["opening_hour_id"], ["opening_hours.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cancel_token"),
    )
    op.create_index("ix_meetings_application_id", "meetings", ["application_id"])
    op.create_index("ix_meetings_calendar_time", "meetings", ["calendar_id", "from_time"])
    op.create_index("ix_meetings_opening_hour_id", "meetings", ["opening_hour_id"])
    op.create_index("ix_meetings_tenant_id", "meetings", ["tenant_id"])
    op.create_index("ix_meetings_user_id", "meetings", ["user_id"])


def downgrade() -> None:
    op.drop_table("meetings")
