"""Kinds of job the tests register: one that writes a row and reports progress, one that refuses with a message
the person can act on, one that crashes after writing (its write must be rolled back)."""

from django.db import transaction
from django.utils.translation import gettext_noop

from jobs.registry import JobFailed, Outcome, register
from reviews.models import Department

CALLS = []


def echo(job, progress):
    CALLS.append(job.pk)
    progress(0, 3)
    for done in range(1, 4):
        progress(done)
    return Outcome(gettext_noop("Imported %(file)s."), {"file": job.params.get("name", "")}, url="/somewhere/")


def refuse(job, progress):
    raise JobFailed(gettext_noop("The file has errors; nothing was imported."), next_step=gettext_noop("Retry"))


def crash_after_writing(job, progress):
    with transaction.atomic():  # a service is all-or-nothing: its writes go when it raises
        Department.objects.create(name_zh="半途部门", name_en="Halfway", code="halfway")
        raise RuntimeError("disk full")


def register_test_kinds():
    register("test_echo", label=gettext_noop("Jobs"), handler=echo)
    register("test_refuse", label=gettext_noop("Jobs"), handler=refuse, retry_safe=False)
    register("test_crash", label=gettext_noop("Jobs"), handler=crash_after_writing)
