"""The providers of the channels a province offers, made from its settings
for one flush of the outbox (each closes its HTTP client at the end)."""

from __future__ import annotations

from pakn.notify.base import Provider
from pakn.notify.fcm import FcmProvider
from pakn.notify.sms import SmsProvider
from pakn.notify.webpush import WebPushProvider
from pakn.notify.zns import ZnsProvider
from pakn.settings import Settings


def providers_for(settings: Settings) -> dict[str, Provider]:
    """One provider per offered channel (`[notify] channels`); the settings'
    validation has made sure each has its table."""
    offered = set(settings.notify.channels)
    providers: dict[str, Provider] = {}
    if "push" in offered and settings.fcm is not None:
        providers["push"] = FcmProvider(settings.fcm)
    if "webpush" in offered and settings.webpush is not None:
        providers["webpush"] = WebPushProvider(settings.webpush)
    if "sms" in offered and settings.sms is not None:
        providers["sms"] = SmsProvider(settings.sms)
    if "zns" in offered and settings.zns is not None:
        providers["zns"] = ZnsProvider(settings.zns, state_dir=settings.var_dir)
    return providers
