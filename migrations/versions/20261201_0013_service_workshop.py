"""the administrator's workshop: a draft per service, who published each version and its files, archiving

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("service_versions") as batch:
        batch.add_column(sa.Column("files", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("published_by_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key("fk_service_versions_published_by", "users", ["published_by_id"], ["id"],
                                 ondelete="SET NULL")
    op.create_table(
        "service_drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id"),
    )
    op.create_index("ix_service_drafts_tenant_id", "service_drafts", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_service_drafts_tenant_id", table_name="service_drafts")
    op.drop_table("service_drafts")
    with op.batch_alter_table("service_versions") as batch:
        batch.drop_constraint("fk_service_versions_published_by", type_="foreignkey")
        batch.drop_column("published_by_id")
        batch.drop_column("files")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("archived_at")
