"""In-app notifications, e-mail reminders and the written feedback documents (issue 5)."""
