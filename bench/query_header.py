"""Bench-only middleware (settings.bench, BENCH_QUERY_COUNT_HEADER=1): the number of database queries a request
made, in the response header X-Query-Count. Outermost, so the session, the user and every middleware count."""

from django.db import connection


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
