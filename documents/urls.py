from django.urls import path

from documents import views

app_name = "documents"

# Feedback documents (regulation 三.5): the batch's progress, retrying, and the private downloads.
urlpatterns = [
    path("feedback/quarters/<str:code>/progress.json", views.feedback_progress, name="feedback_progress"),
    path("quarters/<str:code>/retry/", views.quarter_retry, name="quarter_retry"),
    path("feedback/<int:pk>/retry/", views.feedback_retry, name="feedback_retry"),
    path("feedback/<int:pk>.pdf", views.feedback_pdf, name="feedback_pdf"),
    path("feedback/scorecards/<int:pk>.pdf", views.scorecard_feedback_pdf, name="scorecard_feedback_pdf"),
    # The interview's record to print and sign (regulation 三.5).
    path("interviews/<int:pk>/record.pdf", views.interview_record_pdf, name="interview_record_pdf"),
]
