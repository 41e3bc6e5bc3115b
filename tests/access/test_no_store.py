"""No page or file of the application may stay in a browser's or a proxy's cache: `Cache-Control: private,
no-store` on every URL of the access matrix, for whoever may open it (lawfirm_kpi.security.NoStoreMiddleware)."""

from django.conf import settings
from django.urls import reverse

from tests.access.matrix import MATRIX, PERSONAS
from tests.access.test_access_matrix import _request

SERVED = {200, 400}  # the page (or file) itself, or a form answered with its errors


def _says_no_store(response):
    header = response.get("Cache-Control", "")
    return "no-store" in header and "private" in header


def test_every_page_and_file_a_persona_opens_says_private_no_store(world):
    # Given every URL of the matrix, and for each the first signed-in persona that is served it
    users = {**world.personas, "anonymous": None}
    stored = []
    checked = 0
    for name, cases in MATRIX.items():
        for case in cases:
            path = reverse(name, kwargs=case.args(world))
            served = [persona for persona in PERSONAS if case.expect[persona].status in SERVED]
            signed_in = [persona for persona in served if persona != "anonymous"][:1]
            public = ["anonymous"] if "anonymous" in served else []
            for persona in signed_in + public:
                # When that persona opens it
                response = _request(users[persona], case, path, world)
                checked += 1
                # Then the browser and any proxy are told not to keep it
                if not _says_no_store(response):
                    stored.append(f"{case.method} {path} as {persona}: {response.get('Cache-Control', '(none)')}")
    assert checked > 100
    assert not stored, "responses that may be cached:\n  " + "\n  ".join(stored)


def test_refusals_and_redirects_say_it_too(world, client):
    # A 404 for someone who may not see a scorecard, and the sign-in redirect for an anonymous visitor
    client.force_login(world.firm.outsider)
    refused = client.get(reverse("portal:scorecard", kwargs={"pk": world.card.pk}))
    client.logout()
    redirect = client.get(reverse("portal:scorecard", kwargs={"pk": world.card.pk}))
    assert refused.status_code == 404 and _says_no_store(refused)
    assert redirect.status_code == 302 and _says_no_store(redirect)


def test_static_files_are_served_before_the_header_is_added():
    # whitenoise answers static files before the middleware runs, so they keep their long-lived caching
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "lawfirm_kpi.security.NoStoreMiddleware"
    )
