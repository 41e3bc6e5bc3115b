"""In-app notifications, e-mail reminders and the written feedback documents (regulation 三.5)."""
