"""ratings per flow (the rating component ends every flow, not only the submission); what to bring to an
appointment, per calendar

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ratings given so far all came from the submission's confirmation page.
    op.add_column("service_ratings", sa.Column("flow", sa.String(length=32), nullable=False, server_default="invio"))
    op.create_index("ix_service_ratings_flow", "service_ratings", ["flow"])
    op.add_column("calendars", sa.Column("what_to_bring", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("calendars", "what_to_bring")
    op.drop_index("ix_service_ratings_flow", table_name="service_ratings")
    op.drop_column("service_ratings", "flow")
