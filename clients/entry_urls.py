"""URLs of the data-entry pages: clients:<kind>_list, _add, _edit, _history for each kind of data."""

from django.urls import path

from clients import views
from clients.selectors import KINDS

urlpatterns = [path("", views.data_index, name="index")]

for _kind in KINDS:
    urlpatterns += [
        path(f"{_kind}/", views.record_list, {"kind": _kind}, name=f"{_kind}_list"),
        path(f"{_kind}/add/", views.record_add, {"kind": _kind}, name=f"{_kind}_add"),
        path(f"{_kind}/<int:pk>/edit/", views.record_edit, {"kind": _kind}, name=f"{_kind}_edit"),
        path(f"{_kind}/<int:pk>/history/", views.record_history, {"kind": _kind}, name=f"{_kind}_history"),
    ]
