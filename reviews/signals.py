"""Signals the organisation sends for the layers above it to act on (reviews imports none of them)."""

from django.dispatch import Signal

# A person is to receive the link where they set their password (a new person, or a new invitation). Sent inside
# the transaction that makes the change; receivers (notifications) write the e-mail into the outbox in that same
# transaction. Arguments: `profile` (StaffProfile) and `link` (absolute URL).
staff_invitation_due = Signal()
