from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/file", views.job_file, name="file"),
    path("<int:pk>/retry/", views.job_retry_view, name="retry"),
]
