from django.urls import path

from interviews import views

app_name = "interviews"

# The interview with the direct superior within a week of publication (regulation 三.5).
urlpatterns = [
    path("scorecards/<int:pk>/interview/schedule/", views.interview_schedule, name="interview_schedule"),
    # The person's own view before the interview, read by their interviewer and the execution group.
    path("scorecards/<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("team/", views.team, name="team"),
    path("interviews/", views.interview_list, name="interviews"),
    path("interviews/overdue/", views.interviews_overdue, name="interviews_overdue"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("interviews/<int:pk>/record/", views.interview_record, name="interview_record"),
    path("interviews/<int:pk>/acknowledge/", views.interview_acknowledge, name="interview_acknowledge"),
    path(
        "interviews/<int:pk>/items/<int:item_pk>/done/",
        views.improvement_item_done,
        name="improvement_item_done",
    ),
    path("interviews/<int:pk>/goals/<int:goal_pk>/assess/", views.goal_assess, name="goal_assess"),
]
