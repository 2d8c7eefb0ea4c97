"""once only: the citizen profile keeps the ISEE and IBAN given, and when and where each kind of data was given

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("held_data", sa.JSON(), nullable=True))
    op.add_column("users", sa.Column("data_provenance", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "data_provenance")
    op.drop_column("users", "held_data")
