"""Department data pages (/data/…) and the file import (/data/import/…)."""

from django.urls import include, path

app_name = "clients"

# Data-entry pages (lists, add, edit, history) are listed in clients/entry_urls.py;
# the file import in clients/importing/urls.py.
urlpatterns = [
    path("", include("clients.entry_urls")),
    path("import/", include("clients.importing.urls")),
]
