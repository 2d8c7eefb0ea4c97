"""the user tasks a process waits for (work for the citizen or an office); offices get a stable code

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _code(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63] or "ufficio"


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("code", sa.String(63), nullable=True))
    offices = sa.table("offices", sa.column("id", sa.Uuid()), sa.column("tenant_id", sa.Uuid()),
                       sa.column("name", sa.String()), sa.column("code", sa.String()))
    connection = op.get_bind()
    taken: set[tuple[object, str]] = set()
    for office_id, tenant_id, name in connection.execute(sa.select(offices.c.id, offices.c.tenant_id,
                                                                   offices.c.name)).all():
        code, n = _code(name), 1
        while (tenant_id, code) in taken:
            n += 1
            code = f"{_code(name)[:60]}-{n}"
        taken.add((tenant_id, code))
        connection.execute(offices.update().where(offices.c.id == office_id).values(code=code))
    with op.batch_alter_table("offices") as batch:
        batch.alter_column("code", existing_type=sa.String(63), nullable=False)
        batch.create_unique_constraint("uq_offices_tenant_code", ["tenant_id", "code"])
    op.create_table(
        "process_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("bpmn_id", sa.String(200), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("form", sa.String(100), nullable=True),
        sa.Column("variable", sa.String(100), nullable=True),
        sa.Column("candidate", sa.String(120), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["completed_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_process_tasks_application", "process_tasks", ["application_id", "state"])
    op.create_index("ix_process_tasks_inbox", "process_tasks", ["tenant_id", "state", "created_at"])
    op.create_index(op.f("ix_process_tasks_tenant_id"), "process_tasks", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_process_tasks_tenant_id"), table_name="process_tasks")
    op.drop_index("ix_process_tasks_inbox", table_name="process_tasks")
    op.drop_index("ix_process_tasks_application", table_name="process_tasks")
    op.drop_table("process_tasks")
    with op.batch_alter_table("offices") as batch:
        batch.drop_constraint("uq_offices_tenant_code", type_="unique")
        batch.drop_column("code")
