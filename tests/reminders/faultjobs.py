"""A test-only Celery job for the fault experiments (loaded with `celery worker -I tests.reminders.faultjobs`)."""
import time

from celery import shared_task


@shared_task(name="tests.faults.hold")
def hold(seconds: float, marker: str) -> str:
    """Keep the worker busy (a message in hand, not yet acknowledged) for `seconds`."""
    print(f"hold start {marker}", flush=True)
    time.sleep(seconds)
    print(f"hold done {marker}", flush=True)
    return marker
