"""Pages of goals: a person's goal history and the execution group's share of goals met per department."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from goals import selectors
from goals.access import get_person_for_goals
from reviews.roles import require


def _history(request, person):
    return render(
        request,
        "goals/history.html",
        {
            "person": person,
            "is_own": person is not None and person.user_id == request.user.pk,
            "quarters": selectors.goal_history(staff=person) if person is not None else [],
        },
    )


@login_required
def my_goals(request):
    return _history(request, getattr(request.user, "profile", None))


@login_required
def person_goals(request, pk):
    return _history(request, get_person_for_goals(request.user, pk))


@require(lambda roles: roles.is_organiser)
def department_share(request):
    return render(request, "goals/departments.html", selectors.department_share())
