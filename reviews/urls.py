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
