"""Reads about units, people and roles."""
from __future__ import annotations

from django.db.models import Prefetch

from accounts.models import Person, Role, Unit, UnitAlias


def unit_directory_entries(active_only: bool = True) -> list[dict]:
    """The unit directory in the shape the extraction engine takes (Directory.from_entries)."""
    qs = Unit.objects.select_related("parent").prefetch_related(Prefetch("aliases", queryset=UnitAlias.objects.only("alias", "unit_id")))
    if active_only:
        qs = qs.filter(active=True)
    return [
        {
            "id": u.id,
            "name": u.name,
            "short_name": u.short_name or None,
            "aliases": [a.alias for a in u.aliases.all()],
            "kind": u.kind,
            "parent": u.parent.name if u.parent_id else None,
        }
        for u in qs
    ]


def person_of(user) -> Person | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def user_role(user) -> str | None:
    """'admin' | 'staff' | 'leader' | 'operator' | None (no access)."""
    if not user or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    person = person_of(user)
    if person is not None and person.role in (Role.STAFF, Role.LEADER, Role.OPERATOR):
        return person.role
    if user.is_staff:
        return Role.STAFF
    return None


def is_supervisor(user) -> bool:
    """督查室 staff or admin: full access."""
    return user_role(user) in ("admin", Role.STAFF)


def operator_unit(user) -> Unit | None:
    """The unit an operator acts for; None for other roles."""
    person = person_of(user)
    if person is not None and person.role == Role.OPERATOR:
        return person.unit
    return None


def township_members(group: Unit) -> list[Unit]:
    """A group's member units (各乡镇 → every active township under it)."""
    return list(Unit.objects.filter(parent=group, active=True).order_by("sort_order", "id"))
