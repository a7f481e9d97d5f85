from celery import shared_task


@shared_task(name="mpdash.alarms.evaluate", ignore_result=True)
def evaluate_alarms() -> dict:
    from .evaluation import evaluate_all

    return evaluate_all()
