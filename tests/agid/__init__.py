"""One test module per AgID criterion for service flows (ui.md §4), named after it, reading pages as
AgID's checker does."""
