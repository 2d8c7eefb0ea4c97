"""What every feature package shares: errors, the unit of work, tenancy, statuses, local time and
Italian formats, uploads, webhook signatures and the authorisation policy. Its modules are public."""
