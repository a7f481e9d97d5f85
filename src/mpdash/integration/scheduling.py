"""Schedules in django-celery-beat: one periodic task per (channel, flow).

A flow's task is enabled only while the channel is active and the flow's flag is on.
Operators may edit a task's interval or crontab (admin, API); a sync never overwrites
an edited schedule, it only switches the task on or off. Beat's database scheduler
notices changes without a restart.
"""

from __future__ import annotations

import json

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from .flows import runnable

SYSTEM_TASKS = {
    "mpdash:system:poll_open_batches": ("mpdash.poll_open_batches", 15),
    "mpdash:system:recover": ("mpdash.recover", 30),
}


def task_name(channel_id: int, flow: str) -> str:
    return f"mpdash:channel:{channel_id}:{flow}"


def _interval(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    return schedule


def crontab_schedule(expr: str) -> CrontabSchedule:
    minute, hour, dom, month, dow = expr.split()
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow
    )
    return schedule


def sync_channel(channel) -> None:
    for spec in channel.adapter_class.flows:
        if not runnable(spec.name, channel.adapter_class) or not (spec.every_seconds or spec.crontab):
            continue
        name = task_name(channel.pk, spec.name)
        enabled = channel.flow_enabled(spec.name)
        task = PeriodicTask.objects.filter(name=name).first()
        if task is None:
            task = PeriodicTask(
                name=name,
                task="mpdash.run_flow",
                kwargs=json.dumps({"channel_id": channel.pk, "flow": spec.name, "trigger": "schedule"}),
                description=f"{channel.name}: {spec.label} ({spec.schedule_text} by default)",
            )
            if spec.crontab:
                task.crontab = crontab_schedule(spec.crontab)
            else:
                task.interval = _interval(spec.every_seconds)
            task.enabled = enabled
            task.save()
        elif task.enabled != enabled:
            task.enabled = enabled
            task.save()


def remove_channel(channel_id: int) -> None:
    for task in PeriodicTask.objects.filter(name__startswith=f"mpdash:channel:{channel_id}:"):
        task.delete()


def set_interval(channel_id: int, flow: str, seconds: int) -> PeriodicTask:
    task = PeriodicTask.objects.get(name=task_name(channel_id, flow))
    task.interval = _interval(seconds)
    task.crontab = None
    task.save()
    return task


def ensure_system_task(name: str, task_path: str, seconds: int) -> None:
    """The beat entry of a system task, made once (an operator's later edits to it are kept)."""
    if not PeriodicTask.objects.filter(name=name).exists():
        PeriodicTask.objects.create(name=name, task=task_path, interval=_interval(seconds), enabled=True)


def ensure_system_tasks(**_kwargs) -> None:
    for name, (task_path, seconds) in SYSTEM_TASKS.items():
        ensure_system_task(name, task_path, seconds)


def set_schedule(channel_id: int, flow: str, *, every_seconds: int | None = None, crontab: str | None = None) -> PeriodicTask:
    """Give a (channel, flow) task its own schedule (what an operator does on the Settings screen)."""
    task = PeriodicTask.objects.get(name=task_name(channel_id, flow))
    if (every_seconds is None) == (crontab is None):
        raise ValueError("give exactly one of every_seconds and crontab")
    if every_seconds is not None:
        task.interval, task.crontab = _interval(int(every_seconds)), None
    else:
        task.interval, task.crontab = None, crontab_schedule(crontab)
    task.save()
    return task
