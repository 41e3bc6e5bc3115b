"""Long work out of the request: a Job row per request for it, one Celery task that runs it, a page that follows it
(docs/operations.md, "Jobs")."""
