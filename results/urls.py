from django.urls import path

from results import views

app_name = "results"

# Corrections of published results (docs/results.md "Corrections").
urlpatterns = [
    path("corrections/<str:code>/", views.correction_list, name="corrections"),
    path("correction/<int:pk>/", views.correction_detail, name="correction"),
    path("correction/<int:pk>/record/", views.correction_change, name="correction_change"),
]
