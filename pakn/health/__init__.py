"""Liveness and readiness for orchestrators."""
