"""Onboarding an ente from the command line: the ente itself, its first administrators, its services."""

from ._onboarding import (
    RESERVED_SLUGS,
    AdminInvite,
    TenantResult,
    create_admin,
    create_tenant,
    shipped_service_folders,
)

__all__ = ["RESERVED_SLUGS", "AdminInvite", "TenantResult", "create_admin", "create_tenant",
           "shipped_service_folders"]
