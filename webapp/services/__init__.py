"""Use cases: the only layer that commits (once, through uow.unit_of_work)."""
