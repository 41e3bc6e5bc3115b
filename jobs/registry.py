"""The kinds of job. The jobs app sits below every app that starts one, so each app registers its own kinds from
its AppConfig.ready(): the handler that does the work, who besides the requester may follow it, and what the
person should do if it fails. The arrows keep pointing down (DEVELOPERS.md, "Layers")."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Outcome:
    """What a handler made: a message (an English msgid, translated for each reader), where to see the result,
    and optionally a file (name, bytes) kept privately and downloaded from the job page, or data for the page."""

    message: str
    params: dict = field(default_factory=dict)
    url: str = ""
    file: tuple[str, bytes] | None = None
    data: dict = field(default_factory=dict)


class JobFailed(Exception):
    """A failure the person can act on: its message (msgid + params) is shown as is, with the kind's next step
    unless the handler names another."""

    def __init__(
        self,
        message: str,
        params: dict | None = None,
        *,
        next_step: str = "",
        retry: bool | None = None,
        lines: list | None = None,
    ):
        super().__init__(message % (params or {}) if params else message)
        self.message = message
        self.params = params or {}
        self.next_step = next_step
        self.retry = retry
        self.lines = lines or []  # [msgid, params] pairs the page lists under the message (an import's errors)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # an English msgid
    handler: Callable  # handler(job, progress) -> Outcome; must be idempotent or resumable (a dead worker's
    # job runs again)
    may_follow: Callable = lambda user, job: False  # besides the requester, who may see the job page
    next_step: str = gettext_noop("Try again; if it fails again, tell the execution group what you were doing.")
    retry_safe: bool = True  # the page offers "run it again" after a failure
    # For a job whose work goes on in other tasks once its handler is done (publication: the feedback batch):
    # follow(job) -> dict(done, total, finished, lines=[(msgid, params)]) or None.
    follow: Callable | None = None


_KINDS: dict[str, JobKind] = {}


def register(name: str, *, label: str, handler: Callable, **options) -> JobKind:
    """Register (or, on a second ready(), replace) one kind of job."""
    kind = JobKind(name=name, label=label, handler=handler, **options)
    _KINDS[name] = kind
    return kind


def kind_of(name: str) -> JobKind | None:
    return _KINDS.get(name)


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
