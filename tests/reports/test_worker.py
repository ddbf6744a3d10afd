"""The weekly report job through a real Celery worker and a real Redis broker."""
import pytest

from tasks.models import ReportFile


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_weekly_report_on_a_real_worker(scenario, staff_user, worker_app):
    from celery.contrib.testing.worker import start_worker

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = worker_app.send_task("tasks.jobs.weekly_report", kwargs={"on": "2024-06-05"})
        summary = result.get(timeout=60)
    rf = ReportFile.objects.get()
    assert summary["report_file"] == rf.pk
    assert (rf.filename, rf.task_count, rf.trigger) == ("督查通报_2024年第23周.xlsx", 10, "beat")
    assert rf.file.size == rf.size > 0
