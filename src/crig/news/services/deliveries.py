"""Deliveries: digests recorded, then sent (filled in next)."""

import datetime

from crig.news.models import Delivery


def deliveries_prepare(
    *, frequency: str, now: datetime.datetime | None = None
) -> list[Delivery]:
    """Record the pending deliveries of the period ending now for every active
    subscription of that frequency that has something to send (no empty
    digest). Idempotent: an existing delivery of the period is kept."""
    raise NotImplementedError


def delivery_send(*, delivery_id: int) -> Delivery:
    """Send one pending (or failed) delivery; marks it sent, or failed with the
    error and one more attempt (retried by the next run). Never sends a sent one."""
    raise NotImplementedError


def deliveries_run(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """Prepare then enqueue the sending of every pending/failed delivery
    (``crig news send --frequency …``, run by cron). Returns how many."""
    raise NotImplementedError
