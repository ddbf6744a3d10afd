"""Portable SQL for date arithmetic (SQLite and PostgreSQL), used by set-based selectors."""
from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start) for two DATE expressions."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date is an integer
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(({end[0]}) - ({start[0]}))", [*end[1], *start[1]]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)", [*end[1], *start[1]]
