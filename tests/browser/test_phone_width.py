"""Every page each demo role reaches from their home page fits a 390 px phone: the browser measures that the page is
no wider than the screen (a table may scroll inside its own box, never the page). Pages are found as a person finds
them, by following the links on the pages; one page per URL pattern, in Chinese, as the firm reads."""

import re
from urllib.parse import urljoin, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLES = ("partner", "executor", "senior", "lawyer", "assistant", "bizclerk", "finclerk", "admclerk")
# Downloads and documents are not pages; signing out would end the walk.
NOT_A_PAGE = re.compile(r"logout|/pdf/|\.pdf$|download|export|template|\.xlsx$|\.csv$|\.ics$|/i18n/|/admin/|/static/")
PAGES_PER_ROLE = 60
# The elements that stick out, for the failure message.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => !el.parentElement.closest('.table-responsive') || getComputedStyle(el).position === 'absolute')
    .slice(0, 5).map(el => `${el.tagName}.${String(el.className).slice(0, 50)}`)"""


def pattern_of(path):
    return re.sub(r"\d+", "N", path)


def walk(page, base):
    """(path, scroll width, what sticks out) for each page found from home, one per URL pattern."""
    seen, queue, found = set(), ["/"], []
    host = urlparse(base).netloc
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if pattern_of(path.split("?")[0]) in seen:
            continue
        seen.add(pattern_of(path.split("?")[0]))
        response = page.goto(path)
        page.wait_for_load_state()
        assert response is not None and response.status < 400, (path, response and response.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        found.append((path, width, page.evaluate(WIDER_THAN_THE_SCREEN) if width > PHONE["width"] else []))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc == host and not NOT_A_PAGE.search(url.path) and pattern_of(url.path) not in seen:
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_role_fits_a_phone(demo_firm, session_as, live_server, username):
    session = session_as(username, english=False)
    session.page.set_viewport_size(PHONE)

    pages = walk(session.page, live_server.url)

    assert len(pages) >= 8, [path for path, _width, _culprits in pages]
    too_wide = [(path, width, culprits) for path, width, culprits in pages if width > PHONE["width"]]
    assert too_wide == []
