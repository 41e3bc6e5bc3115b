"""URLs of the file import, under /data/import/ in the "clients" namespace."""

from django.urls import path

from clients.importing import views

urlpatterns = [
    path("", views.import_index, name="import_index"),
    path("<slug:kind>/", views.import_upload, name="import_upload"),
    path("<slug:kind>/preview/", views.import_preview, name="import_preview"),
    path("<slug:kind>/confirm/", views.import_confirm, name="import_confirm"),
    path("<slug:kind>/cancel/", views.import_cancel, name="import_cancel"),
    path("<slug:kind>/errors.csv", views.import_errors, name="import_errors"),
    path("<slug:kind>/template.<slug:fmt>", views.import_template, name="import_template"),
]
