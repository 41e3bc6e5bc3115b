"""The public questionnaire a client opens from their link (no login): /q/<token>/."""

from django.urls import path

from indicators import questionnaire_views

app_name = "questionnaire"

urlpatterns = [
    path("thanks/", questionnaire_views.questionnaire_thanks, name="thanks"),
    path("<str:token>/", questionnaire_views.questionnaire_answer, name="answer"),
]
