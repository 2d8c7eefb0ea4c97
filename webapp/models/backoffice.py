"""Models of the back office (issue 4)."""
