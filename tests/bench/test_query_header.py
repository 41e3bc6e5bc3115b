"""The pages benchmark reads each request's query count from the header its bench-only middleware sets."""

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import RequestFactory

from bench.query_header import QueryCountHeaderMiddleware

pytestmark = pytest.mark.django_db


def test_the_header_counts_every_query_the_request_made():
    def view(request):
        User.objects.count()
        list(User.objects.filter(username="nobody"))
        return HttpResponse("ok")

    response = QueryCountHeaderMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def test_a_request_without_queries_says_zero():
    response = QueryCountHeaderMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "0"
