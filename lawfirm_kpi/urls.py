"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import PasswordResetView
from lawfirm_kpi.health import healthz, readyz
from portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    # Answered by lawfirm_kpi.health.HealthCheckMiddleware; named here for reverse() and the access matrix.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", portal_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Limited per address and per e-mail address: accounts/passwords.py.
    path("accounts/password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("reviews.urls")),
    path("", include("portal.urls")),
    path("", include("interviews.urls")),
    # The same addresses as before the documents had an app of their own: e-mails already sent link to them.
    path("notifications/", include("documents.urls")),
    path("data/", include("clients.urls")),
    path("indicators/", include("indicators.urls")),
    path("q/", include("indicators.questionnaire_urls")),
    path("notifications/", include("notifications.urls")),
    path("appeals/", include("appeals.urls")),
    path("results/", include("results.urls")),
    path("goals/", include("goals.urls")),
    path("jobs/", include("jobs.urls")),
    path("admin/", admin.site.urls),
]

# Friendly, bilingual error pages without stack traces; see lawfirm_kpi/security.py.
handler400 = "lawfirm_kpi.security.bad_request"
handler403 = "lawfirm_kpi.security.permission_denied"
handler404 = "lawfirm_kpi.security.page_not_found"
handler500 = "lawfirm_kpi.security.server_error"
