"""`make bench` only (reportsite.settings.bench): each response says how many SQL statements it took, so
the load run can tell a cache miss from a hit from the outside. Never in the site's own settings."""

from django.db import connection


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count[0])
        return response
