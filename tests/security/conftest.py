from tests.api.world import world  # noqa: F401
from tests.workflow.factories import _fast_passwords, make_task, units, users  # noqa: F401
