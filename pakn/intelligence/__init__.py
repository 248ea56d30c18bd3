"""Triage intelligence: normalised search, category and agency suggestions, duplicates, urgency."""
