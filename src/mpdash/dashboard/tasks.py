from celery import shared_task


@shared_task(name="mpdash.dashboard.csv_job", ignore_result=True, acks_late=True)
def run_csv_job(job_id: int) -> None:
    """A large CSV upload of the Trigger screen, worked through in the background."""
    from .csv_actions import work_job

    work_job(job_id)
