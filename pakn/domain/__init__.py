"""Pure domain vocabulary: no ORM, no I/O."""
