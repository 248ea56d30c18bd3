"""Vietnamese text: normalisation, matching and personal data."""
