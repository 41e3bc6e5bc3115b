"""Who may do what: the regulation's groups (二.1–二.3) as small questions about a user."""

from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, DepartmentKind

# Regulation 三.3: which department delivers which kind of data.
DATA_KINDS_BY_DEPARTMENT = {
    DepartmentKind.BUSINESS: ("clients", "contracts"),
    DepartmentKind.FINANCE: ("revenue",),
    DepartmentKind.ADMINISTRATIVE: ("complaints", "surveys"),
}


class Roles:
    """The roles of one user, computed once per request."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _group_names(self):
        if not self.user.is_authenticated:
            return frozenset()
        return frozenset(self.user.groups.values_list("name", flat=True))

    @property
    def is_leadership(self):
        return LEADERSHIP_GROUP in self._group_names

    @property
    def is_execution(self):
        return EXECUTION_GROUP in self._group_names

    @property
    def is_organiser(self):
        """Execution or leadership group: may read everything about the assessment."""
        return self.is_leadership or self.is_execution

    @cached_property
    def clerk_department_kinds(self):
        if not self.user.is_authenticated:
            return frozenset()
        return frozenset(self.user.clerk_departments.values_list("kind", flat=True))

    @cached_property
    def editable_data_kinds(self):
        """The kinds of department data this user may change."""
        kinds = set()
        for department_kind in self.clerk_department_kinds:
            kinds.update(DATA_KINDS_BY_DEPARTMENT.get(department_kind, ()))
        return frozenset(kinds)

    @property
    def is_clerk(self):
        return bool(self.editable_data_kinds)

    def can_read_data(self, kind):
        return self.is_execution or self.is_leadership or kind in self.editable_data_kinds

    def can_edit_data(self, kind):
        return kind in self.editable_data_kinds

    @property
    def can_manage_people(self):
        """Add and change people: the execution group, and the leadership group, which alone grants leadership
        membership (reviews.governance)."""
        return self.is_execution or self.is_leadership

    @cached_property
    def profile(self):
        if not self.user.is_authenticated:
            return None
        return getattr(self.user, "profile", None)


def roles_of(user):
    """The Roles of a user, cached on the user object for the request."""
    cached = getattr(user, "_kpi_roles", None)
    if cached is None:
        cached = Roles(user)
        if user.is_authenticated:
            user._kpi_roles = cached
    return cached


def require(check):
    """View decorator: log in first, then refuse (403) unless check(roles) holds."""

    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(roles_of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator
