"""The record of role changes: every change of groups, data duties, position, department, superior, assessed and
active status and e-mail becomes a StaffChange row in the transaction that made it, and a `people.role_changed`
line in the security log once that transaction commits (docs/regulation.md, "Governed roles").

The rows are written by model signals, so no path is missed: the people page, the staff import (its bulk writes
call staff_changes_record itself), the management commands, the Django admin and a shell all leave a row. Who
acted is told by the caller with `staff_changes_by(by, source)`; without it the row says "shell or script".
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from lawfirm_kpi.security import log_event
from reviews.models import Department, Position, StaffChange, StaffProfile

Kind, Source = StaffChange.Kind, StaffChange.Source

_actor: ContextVar = ContextVar("staff_change_actor", default=None)


@contextmanager
def staff_changes_by(by, source):
    """Every role change made inside this block is recorded as made by `by` through `source`."""
    token = _actor.set((by, source))
    try:
        yield
    finally:
        _actor.reset(token)


def _current_actor():
    return _actor.get() or (None, Source.UNATTRIBUTED)


def staff_changes_record(changes, *, by, source, at=None):
    """Write StaffChange rows for [(person user id, kind, before, after)] and log each once committed."""
    at = at or timezone.now()
    rows = [
        StaffChange(
            person_id=person_id,
            by=by,
            source=source,
            kind=kind,
            before=(before or "")[:500],
            after=(after or "")[:500],
            at=at,
        )
        for person_id, kind, before, after in changes
        if (before or "") != (after or "")
    ]
    if not rows:
        return []
    StaffChange.objects.bulk_create(rows)
    lines = [(row.person_id, row.kind, row.before, row.after) for row in rows]

    def log():
        usernames = dict(User.objects.filter(pk__in={line[0] for line in lines}).values_list("pk", "username"))
        for person_id, kind, before, after in lines:
            log_event(
                "people.role_changed",
                user=by,
                person=f"{usernames.get(person_id, '?')}#{person_id}",
                kind=kind,
                before=before or "-",
                after=after or "-",
                source=source,
            )

    # The log says what happened: a change that is rolled back never reaches it.
    transaction.on_commit(log)
    return rows


def _record(changes):
    by, source = _current_actor()
    if by is not None and not getattr(by, "is_authenticated", False):
        by = None
    return staff_changes_record(changes, by=by, source=source)


# ------------------------------------------------------------------------------------------- stored values


def _flag(value):
    return "yes" if value else "no"


def superior_label(profile_id):
    """How a superior is written in the record: name and username, readable after a rename."""
    if profile_id is None:
        return ""
    row = StaffProfile.objects.filter(pk=profile_id).values_list("full_name", "user__username").first()
    return f"{row[0]} ({row[1]})" if row else f"#{profile_id}"


def superior_labels(profile_ids):
    """{profile id: 'name (username)'} for many superiors at once (the staff import's bulk writes)."""
    rows = StaffProfile.objects.filter(pk__in=[pk for pk in profile_ids if pk is not None])
    return {pk: f"{name} ({username})" for pk, name, username in rows.values_list("pk", "full_name", "user__username")}


def department_code(department_id):
    if department_id is None:
        return ""
    return Department.objects.filter(pk=department_id).values_list("code", flat=True).first() or ""


def groups_of(user_ids):
    """{user id: 'execution,leadership'} — the stored form of a person's groups."""
    found = {user_id: [] for user_id in user_ids}
    rows = User.groups.through.objects.filter(user_id__in=user_ids).values_list("user_id", "group__name")
    for user_id, name in rows:
        found[user_id].append(name)
    return {user_id: ",".join(sorted(names)) for user_id, names in found.items()}


def clerk_duties_of(user_ids):
    """{user id: 'adm,fin'} — the department codes a person provides data for."""
    found = {user_id: [] for user_id in user_ids}
    rows = Department.clerks.through.objects.filter(user_id__in=user_ids).values_list("user_id", "department__code")
    for user_id, code in rows:
        found[user_id].append(code)
    return {user_id: ",".join(sorted(codes)) for user_id, codes in found.items()}


# ------------------------------------------------------------------------------------------------ signals

PROFILE_FIELDS = (
    (Kind.POSITION, "position", lambda value: value or ""),
    (Kind.DEPARTMENT, "department_id", department_code),
    (Kind.SUPERIOR, "superior_id", superior_label),
    (Kind.ASSESSED, "assessed", _flag),
    (Kind.ACTIVE, "active", _flag),
)


def _profile_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    stored = None
    if instance.pk is not None and not instance._state.adding:
        stored = (
            StaffProfile.objects.filter(pk=instance.pk)
            .values("position", "department_id", "superior_id", "assessed", "active")
            .first()
        )
    changes = []
    for kind, name, shown in PROFILE_FIELDS:
        new = getattr(instance, name)
        if stored is None:
            # A new person: what they start with is recorded (who added whom, where); the defaults are not news.
            if kind in (Kind.ASSESSED, Kind.ACTIVE) and new:
                continue
            changes.append((kind, "", shown(new)))
        elif stored[name] != new:
            changes.append((kind, shown(stored[name]), shown(new)))
    instance._staff_changes = changes


def _profile_post_save(sender, instance, raw=False, **kwargs):
    changes = getattr(instance, "_staff_changes", None)
    instance._staff_changes = None
    if changes:
        _record([(instance.user_id, kind, before, after) for kind, before, after in changes])


def _user_pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = ""
    if instance.pk is not None and not instance._state.adding:
        before = User.objects.filter(pk=instance.pk).values_list("email", flat=True).first() or ""
    instance._staff_email_change = (before, instance.email or "") if before != (instance.email or "") else None


def _user_post_save(sender, instance, raw=False, **kwargs):
    change = getattr(instance, "_staff_email_change", None)
    instance._staff_email_change = None
    if change:
        _record([(instance.pk, Kind.EMAIL, *change)])


def _m2m_receiver(kind, snapshot, members_of):
    """A receiver for one many-to-many between users and something (groups, clerk departments), either side."""

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action.startswith("pre_"):
            if isinstance(instance, User):
                user_ids = [instance.pk]
            elif action == "pre_clear":
                user_ids = list(members_of(instance))
            else:
                user_ids = list(pk_set or ())
            pending = getattr(instance, "_staff_m2m_before", {})
            pending[kind] = snapshot(user_ids) if user_ids else {}
            instance._staff_m2m_before = pending
        elif action.startswith("post_"):
            before = getattr(instance, "_staff_m2m_before", {}).pop(kind, {})
            if not before:
                return
            after = snapshot(list(before))
            _record([(user_id, kind, before[user_id], after[user_id]) for user_id in before])

    return receiver


_groups_changed = _m2m_receiver(Kind.GROUPS, groups_of, lambda group: group.user_set.values_list("pk", flat=True))
_clerks_changed = _m2m_receiver(
    Kind.CLERK_DUTIES, clerk_duties_of, lambda department: department.clerks.values_list("pk", flat=True)
)


def connect():
    """Called once from ReviewsConfig.ready()."""
    pre_save.connect(_profile_pre_save, sender=StaffProfile, dispatch_uid="staff_changes.profile_pre")
    post_save.connect(_profile_post_save, sender=StaffProfile, dispatch_uid="staff_changes.profile_post")
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="staff_changes.user_pre")
    post_save.connect(_user_post_save, sender=User, dispatch_uid="staff_changes.user_post")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="staff_changes.groups")
    m2m_changed.connect(_clerks_changed, sender=Department.clerks.through, dispatch_uid="staff_changes.clerks")


# ------------------------------------------------------------------------------------------------ display


def _group_label(name):
    from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP

    return {LEADERSHIP_GROUP: _("Leadership group"), EXECUTION_GROUP: _("Execution group")}.get(name, name)


def value_display(kind, value, *, departments=None):
    """A stored value as the audit page shows it, in the active language."""
    if not value:
        return "—"
    if kind == Kind.GROUPS:
        return ", ".join(_group_label(name) for name in value.split(","))
    if kind in (Kind.CLERK_DUTIES, Kind.DEPARTMENT):
        departments = departments if departments is not None else {d.code: d for d in Department.objects.all()}
        return ", ".join(str(departments[code]) if code in departments else code for code in value.split(","))
    if kind == Kind.POSITION:
        return str(Position(value).label) if value in Position.values else value
    if kind in (Kind.ASSESSED, Kind.ACTIVE):
        return _("Yes") if value == "yes" else _("No")
    return value
