from django.urls import path

from portal import download_views, quarter_views, results_views, scorecard_views, trends_views

app_name = "portal"

# The quarter's life (docs/regulation.md; regulation 二.1, 二.2): list, detail and steps, completeness, report,
# evaluations, approval.
urlpatterns = [
    path("quarters/", quarter_views.quarters, name="quarters"),
    path("quarters/<str:code>/", quarter_views.quarter_detail, name="quarter"),
    path("quarters/<str:code>/act/<slug:action>/", quarter_views.quarter_act, name="quarter_act"),
    path("quarters/<str:code>/appeal-terms/", quarter_views.quarter_appeal_terms, name="quarter_appeal_terms"),
    path("quarters/<str:code>/compute/", quarter_views.compute, name="compute"),
    path("quarters/<str:code>/completeness/", quarter_views.completeness, name="completeness"),
    path(
        "quarters/<str:code>/completeness/remind/",
        quarter_views.completeness_remind_view,
        name="completeness_remind",
    ),
    path("quarters/<str:code>/interviewers/", quarter_views.interviewers, name="interviewers"),
    path("quarters/<str:code>/report/", quarter_views.report, name="report"),
    path("quarters/<str:code>/report.pdf", quarter_views.report_pdf, name="report_pdf"),
    path(
        "quarters/<str:code>/report/results.<slug:file_format>",
        download_views.report_download,
        name="report_download",
    ),
    path("quarters/<str:code>/evaluations/", quarter_views.evaluations, name="evaluations"),
    path("quarters/<str:code>/approval/", quarter_views.approval, name="approval"),
    path(
        "quarters/<str:code>/approval/results.<slug:file_format>",
        download_views.approval_download,
        name="approval_download",
    ),
]

# The person's scorecards (regulation 三.5).
urlpatterns += [
    path("scorecards/", scorecard_views.my_scorecards, name="my_scorecards"),
    path("scorecards/<int:pk>/", scorecard_views.scorecard_detail, name="scorecard"),
    path("scorecards/history.<slug:file_format>", download_views.history_download, name="history_download"),
]

# A quarter's results table and the "how was this computed" page of one scorecard line (regulation 三.5, 四).
urlpatterns += [
    path("indicators/results/", results_views.results_latest, name="results_latest"),
    path("indicators/results/<str:code>/", results_views.results, name="results"),
    path(
        "indicators/results/<str:code>/results.<slug:file_format>",
        download_views.results_download,
        name="results_download",
    ),
    path("indicators/results/line/<int:pk>/", results_views.explain_line, name="explain"),
]

# The firm over time: the last published quarters side by side, for the two groups (docs/trends.md).
urlpatterns += [
    path("trends/", trends_views.trends, name="trends"),
    # Before the downloads' pattern, which "pdf" would match too.
    path("trends/trends.pdf", trends_views.trends_pdf, name="trends_pdf"),
    path("trends/trends.<slug:file_format>", trends_views.trends_download, name="trends_download"),
]
