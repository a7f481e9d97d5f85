"""Per-channel flow schedules, as django-celery-beat periodic tasks.

Reads and edits the tasks :mod:`mpdash.integration.scheduling` keeps (one per channel and
flow). That module sets intervals; setting a crontab, and going back to the flow's
default, is added here, the minimal helpers the Settings screen needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask
from django_celery_beat.validators import crontab_validator

from mpdash.integration import scheduling
from mpdash.integration.flows import RUNNERS

MAX_INTERVAL_SECONDS = 7 * 24 * 3600


@dataclass
class FlowSchedule:
    flow: str
    label: str
    default: str  # e.g. "every 5 min"
    every_seconds: int | None  # current interval, or None
    crontab: str  # current crontab ("m h dom mon dow"), or ""
    enabled: bool
    is_default: bool

    @property
    def current(self) -> str:
        if self.crontab:
            return f"cron {self.crontab}"
        if self.every_seconds:
            if self.every_seconds % 60 == 0:
                return f"every {self.every_seconds // 60} min"
            return f"every {self.every_seconds} s"
        return "—"


def _crontab_text(task: PeriodicTask) -> str:
    c = task.crontab
    return f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}" if c else ""


def flow_schedules(channel) -> list[FlowSchedule]:
    """Every scheduled flow of the channel, with its current and default schedule."""
    specs = [s for s in channel.adapter_class.flows if s.name in RUNNERS and (s.every_seconds or s.crontab)]
    names = {s.name: scheduling.task_name(channel.pk, s.name) for s in specs}
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=names.values()).select_related("interval", "crontab")}
    out = []
    for spec in specs:
        task = tasks.get(names[spec.name])  # None only until the channel is next saved
        every = task.interval.every if task and task.interval_id and task.interval.period == "seconds" else None
        cron = _crontab_text(task) if task else ""
        out.append(
            FlowSchedule(
                flow=spec.name, label=spec.label, default=spec.schedule_text, every_seconds=every, crontab=cron,
                enabled=bool(task and task.enabled),
                is_default=(cron == spec.crontab) if spec.crontab else (not cron and every == spec.every_seconds),
            )
        )
    return out


def parse_interval(text: str) -> int:
    try:
        seconds = int(str(text).strip())
    except ValueError:
        raise ValidationError("the interval is a whole number of seconds, e.g. 300") from None
    if not 1 <= seconds <= MAX_INTERVAL_SECONDS:
        raise ValidationError(f"the interval must lie between 1 and {MAX_INTERVAL_SECONDS} seconds")
    return seconds


def parse_crontab(text: str) -> str:
    expr = " ".join(str(text).split())
    if len(expr.split(" ")) != 5:
        raise ValidationError("a cron expression has five fields: minute hour day-of-month month day-of-week, e.g. 0 6 * * *")
    try:
        crontab_validator(expr)
    except ValidationError as exc:
        raise ValidationError(f"not a valid cron expression: {'; '.join(exc.messages)}") from None
    return expr


def _task(channel, flow: str) -> PeriodicTask:
    spec = channel.adapter_class.flow(flow)
    if spec is None or spec.name not in RUNNERS or not (spec.every_seconds or spec.crontab):
        raise ValidationError(f"{flow} has no schedule on this channel")
    name = scheduling.task_name(channel.pk, flow)
    if not PeriodicTask.objects.filter(name=name).exists():
        scheduling.sync_channel(channel)
    return PeriodicTask.objects.get(name=name)


def set_interval(channel, flow: str, seconds: int) -> PeriodicTask:
    _task(channel, flow)
    return scheduling.set_interval(channel.pk, flow, seconds)


def set_crontab(channel, flow: str, expr: str) -> PeriodicTask:
    task = _task(channel, flow)
    task.crontab = scheduling.crontab_schedule(parse_crontab(expr))
    task.interval = None
    task.save()
    return task


def reset(channel, flow: str) -> PeriodicTask:
    """Back to the schedule the marketplace declares for the flow."""
    spec = channel.adapter_class.flow(flow)
    _task(channel, flow)
    if spec.crontab:
        return set_crontab(channel, flow, spec.crontab)
    return set_interval(channel, flow, spec.every_seconds)
