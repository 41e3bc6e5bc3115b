from django.urls import path

from goals import views

app_name = "goals"

# The goals agreed in interviews (regulation 三.5) and how they were met.
urlpatterns = [
    path("", views.my_goals, name="mine"),
    path("people/<int:pk>/", views.person_goals, name="person"),
    path("departments/", views.department_share, name="departments"),
]
