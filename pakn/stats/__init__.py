"""Statistics: the published figures, exact, in SQL, in Vietnamese."""
