"""citizen portal: follow-up applications, draft resume step, residence and domicile

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: plain ALTERs on PostgreSQL, a table copy on the demo's SQLite (no ALTER CONSTRAINT there).
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("follow_up_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("last_compiled_step", sa.String(length=64), nullable=True))
        batch.create_foreign_key("fk_applications_parent_id", "applications", ["parent_id"], ["id"])
        batch.create_index("ix_applications_parent_id", ["parent_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("residence", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("domicile", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("birth_country", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("birth_country")
        batch.drop_column("domicile")
        batch.drop_column("residence")
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_parent_id")
        batch.drop_constraint("fk_applications_parent_id", type_="foreignkey")
        batch.drop_column("last_compiled_step")
        batch.drop_column("follow_up_kind")
        batch.drop_column("parent_id")
