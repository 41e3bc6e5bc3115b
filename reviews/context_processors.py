"""Template context: the signed-in user's roles, for menus."""

from django.conf import settings

from reviews.roles import roles_of


def roles(request):
    return {"roles": roles_of(request.user), "firm_name": settings.FIRM_NAME}
