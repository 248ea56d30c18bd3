"""Channels to the citizen beside e-mail: Firebase Cloud Messaging push, Web
Push, SMS through an HTTP gateway and Zalo ZNS, each a `Provider` (base.py)."""

from pakn.notify.base import DeliveryError, Notice, Provider, RecipientGone, Rejected, RetryLater
from pakn.notify.fcm import FcmProvider
from pakn.notify.phones import international_mobile
from pakn.notify.registry import providers_for
from pakn.notify.sms import SmsProvider, sms_text
from pakn.notify.webpush import WebPushProvider, generate_vapid_keys, parse_subscription, vapid_public_key
from pakn.notify.zns import ZnsProvider

__all__ = ["DeliveryError", "Notice", "Provider", "RecipientGone", "Rejected", "RetryLater"]
__all__ += ["FcmProvider", "WebPushProvider", "generate_vapid_keys", "parse_subscription", "vapid_public_key"]
__all__ += ["SmsProvider", "ZnsProvider", "international_mobile", "providers_for", "sms_text"]
