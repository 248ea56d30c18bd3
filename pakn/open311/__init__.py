"""Open311 GeoReport v2: a second door onto the same submission and workflow."""
