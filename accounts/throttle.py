"""A sliding-window limit: at most `limit` events per key in any `window`; the pause ends when the oldest of
them leaves the window. Plain and small so its rule is easy to state on the page that refuses
(docs/operations.md, "Sign-in and password-reset limits")."""

import datetime
import math
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    bucket: str
    limit: int  # 0 switches the limit off
    window: datetime.timedelta

    @property
    def window_minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


@dataclass(frozen=True)
class Pause:
    """Why and until when something is refused: what the refusal page and message say."""

    kind: str
    limit: int
    window_minutes: int
    until: datetime.datetime

    def minutes_left(self, now=None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))


def paused_until(limit: Limit, key: str, *, now=None) -> datetime.datetime | None:
    """When `key` may go on, if it has used up `limit` in the window ending now; None if it may go on now."""
    if not key or limit.limit <= 0:
        return None
    now = now or timezone.now()
    times = list(
        ThrottleHit.objects.filter(bucket=limit.bucket, key=key[:255], at__gt=now - limit.window)
        .order_by("-at")
        .values_list("at", flat=True)[: limit.limit]
    )
    if len(times) < limit.limit:
        return None
    return times[-1] + limit.window


def pause_for(limit: Limit, key: str, *, kind: str, now=None) -> Pause | None:
    until = paused_until(limit, key, now=now)
    if until is None:
        return None
    return Pause(kind=kind, limit=limit.limit, window_minutes=limit.window_minutes, until=until)


def record(limit: Limit, key: str, *, now=None) -> None:
    """Count one event; events of this bucket that left the window are no longer needed (the table stays small)."""
    if not key or limit.limit <= 0:
        return
    now = now or timezone.now()
    ThrottleHit.objects.filter(bucket=limit.bucket, at__lte=now - limit.window).delete()
    ThrottleHit.objects.create(bucket=limit.bucket, key=key[:255], at=now)


def forget_expired(limits, *, now=None) -> int:
    """Events that no longer count in any limit: those of each bucket older than its window, all events of a
    switched-off limit, and those of buckets no limit uses any more once older than the longest window. record()
    only prunes the bucket it counts in; beat runs this for the rest (lawfirm_kpi/celery.py)."""
    now = now or timezone.now()
    removed = 0
    for limit in limits:
        hits = ThrottleHit.objects.filter(bucket=limit.bucket)
        if limit.limit > 0:
            hits = hits.filter(at__lte=now - limit.window)
        removed += hits.delete()[0]
    longest = max((limit.window for limit in limits), default=datetime.timedelta(0))
    others = ThrottleHit.objects.exclude(bucket__in=[limit.bucket for limit in limits]).filter(at__lte=now - longest)
    return removed + others.delete()[0]


def forget(*, buckets, key: str | None = None) -> int:
    """Lift pauses: every event of these buckets (for one key, or all). Returns how many were removed."""
    hits = ThrottleHit.objects.filter(bucket__in=list(buckets))
    if key is not None:
        hits = hits.filter(key=key[:255])
    count, _ = hits.delete()
    return count
