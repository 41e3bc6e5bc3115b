"""Appeal pages (/appeals/…)."""

from django.urls import path

from appeals import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("file/<int:scorecard_pk>/", views.appeal_file, name="file"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.appeal_attachment, name="attachment"),
]
