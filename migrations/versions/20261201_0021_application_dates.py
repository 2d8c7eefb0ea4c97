"""application dates: when the ente received it, when it was taken in charge, and its latest completion
date (the service's max_response_time counted from receipt)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("applications", sa.Column("taken_in_charge_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("applications", sa.Column("due_on", sa.Date(), nullable=True))
    op.create_index("ix_applications_due", "applications", ["tenant_id", "due_on"])
    # Existing applications: the first history rows say when; no service had a term yet, so no due date.
    op.execute("UPDATE applications SET received_at = (SELECT min(s.created_at) FROM status_changes s "
               "WHERE s.application_id = applications.id AND s.status >= 1900)")
    op.execute("UPDATE applications SET taken_in_charge_at = (SELECT min(s.created_at) FROM status_changes s "
               "WHERE s.application_id = applications.id AND s.status = 4000)")


def downgrade() -> None:
    op.drop_index("ix_applications_due", table_name="applications")
    op.drop_column("applications", "due_on")
    op.drop_column("applications", "taken_in_charge_at")
    op.drop_column("applications", "received_at")
