"""In-app notifications, the outbox of notices and the reminder registry (docs/operations.md, "Notices")."""
