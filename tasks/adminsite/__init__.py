"""What the 督查室's Django admin needs beyond single model admins (tasks/admin.py uses these):

- history.py    history pages in Chinese (labels and display values, never codes), read-only (no revert)
- internals.py  login records (axes), the beat schedule and API tokens: the superuser's only
- home.py       the staff home page (admin index) grouped for the 督查室, with what waits for them
- names.py      readable names for many-to-many through rows (delete pages)
- decisions.py  approving 延期/办结 on the request's page: errors next to the field, input kept
- office.py     督查室设置 as forms (响应节点 table, 督办等级名称 boxes), checked by the reminder policy
- widgets.py    readable displays of stored structures (建议责任主体)
"""


def finish_admin_site() -> None:
    """What applies to every registered admin, whichever app registered it (called by TasksConfig.ready)."""
    from tasks.adminsite.history import chinese_history_everywhere
    from tasks.adminsite.internals import internals_for_superuser_only
    from tasks.adminsite.names import name_relation_rows

    chinese_history_everywhere()
    internals_for_superuser_only()
    name_relation_rows()
