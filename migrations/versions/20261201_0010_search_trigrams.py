"""back-office search by part of a fiscal code or protocol number: trigram indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00

PostgreSQL only, like 0004's name index: SQLite (the demo) answers LIKE '%...%' by scanning its few rows.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_bo_applications_fiscal_code_trgm": "applicant_fiscal_code",
    "ix_bo_applications_protocol_trgm": "protocol_number",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        op.create_index(name, "applications", [column], unique=False, postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.drop_index(name, table_name="applications")
