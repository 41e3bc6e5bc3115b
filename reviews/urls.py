from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("people/changes/", views.staff_changes, name="staff_changes"),
]

# The quarter's life (docs/regulation.md; regulation 二.1, 二.2): list, detail and steps, completeness, report,
# evaluations, approval.
from reviews import quarter_views  # noqa: E402

urlpatterns += [
    path("quarters/", quarter_views.quarters, name="quarters"),
    path("quarters/<str:code>/", quarter_views.quarter_detail, name="quarter"),
    path("quarters/<str:code>/act/<slug:action>/", quarter_views.quarter_act, name="quarter_act"),
    path("quarters/<str:code>/appeal-terms/", quarter_views.quarter_appeal_terms, name="quarter_appeal_terms"),
    path("quarters/<str:code>/completeness/", quarter_views.completeness, name="completeness"),
    path("quarters/<str:code>/interviewers/", quarter_views.interviewers, name="interviewers"),
    path("quarters/<str:code>/report/", quarter_views.report, name="report"),
    path("quarters/<str:code>/report/body/", quarter_views.report_body, name="report_body"),
    path("quarters/<str:code>/report.pdf", quarter_views.report_pdf, name="report_pdf"),
    path("quarters/<str:code>/evaluations/", quarter_views.evaluations, name="evaluations"),
    path("quarters/<str:code>/approval/", quarter_views.approval, name="approval"),
]

# The person's scorecards and the interview (regulation 三.5).
from reviews import interview_views, scorecard_views  # noqa: E402

urlpatterns += [
    path("scorecards/", scorecard_views.my_scorecards, name="my_scorecards"),
    path("scorecards/<int:pk>/", scorecard_views.scorecard_detail, name="scorecard"),
    path("scorecards/<int:pk>/interview/schedule/", interview_views.interview_schedule, name="interview_schedule"),
    path("team/", interview_views.team, name="team"),
    path("interviews/", interview_views.interview_list, name="interviews"),
    path("interviews/overdue/", interview_views.interviews_overdue, name="interviews_overdue"),
    path("interviews/<int:pk>/", interview_views.interview_detail, name="interview"),
    path("interviews/<int:pk>/record/", interview_views.interview_record, name="interview_record"),
    path("interviews/<int:pk>/acknowledge/", interview_views.interview_acknowledge, name="interview_acknowledge"),
    path(
        "interviews/<int:pk>/items/<int:item_pk>/done/",
        interview_views.improvement_item_done,
        name="improvement_item_done",
    ),
]
