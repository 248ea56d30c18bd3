"""PAKN: backend for Vietnamese citizen feedback (phản ánh, kiến nghị)."""

__version__ = "0.1.0"
