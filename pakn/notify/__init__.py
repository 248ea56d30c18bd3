"""Channels to the citizen beside e-mail: Firebase Cloud Messaging push, Web
Push, SMS through an HTTP gateway and Zalo ZNS, each a `Provider` (base.py)."""

from pakn.notify.base import DeliveryError, Notice, Provider, RecipientGone, Rejected, RetryLater

__all__ = ["DeliveryError", "Notice", "Provider", "RecipientGone", "Rejected", "RetryLater"]
