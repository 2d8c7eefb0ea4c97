"""Models of the citizen portal (issue 3)."""
