from tests.workflow.factories import _fast_passwords, make_task, units, users  # noqa: F401
