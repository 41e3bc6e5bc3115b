"""Department data pages (/data/…) and the file import (/data/import/…)."""

from django.urls import include, path

from clients import delivery_views

app_name = "clients"

# Data-entry pages (lists, add, edit, history) are listed in clients/entry_urls.py;
# the file import in clients/importing/urls.py.
urlpatterns = [
    path("", include("clients.entry_urls")),
    path("import/", include("clients.importing.urls")),
    # A department's word that its data for the quarter is complete (regulation 二.3, 三.3).
    path("delivery/", delivery_views.delivery, name="delivery"),
    path("delivery/<int:department>/mark/", delivery_views.delivery_mark, name="delivery_mark"),
    path("delivery/marks/<int:pk>/withdraw/", delivery_views.delivery_withdraw, name="delivery_withdraw"),
]
