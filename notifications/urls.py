from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("feedback/quarters/<str:code>/progress.json", views.feedback_progress, name="feedback_progress"),
    path("quarters/<str:code>/retry/", views.quarter_retry, name="quarter_retry"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
    path("feedback/<int:pk>/retry/", views.feedback_retry, name="feedback_retry"),
    path("feedback/<int:pk>.pdf", views.feedback_pdf, name="feedback_pdf"),
    path("feedback/scorecards/<int:pk>.pdf", views.scorecard_feedback_pdf, name="scorecard_feedback_pdf"),
]
