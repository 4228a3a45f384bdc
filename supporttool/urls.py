from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lookup.sso import resume as sso_resume
from lookup.sso import views as sso_views

urlpatterns = [
    path("login/", sso_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", sso_views.admin_login),
    path("admin/", admin.site.urls),
    # Single sign-on (404 while OIDC_ENABLED is off); the provider's redirect URI is
    # https://<host>/oidc/callback/. Names are the ones mozilla-django-oidc reverses.
    path(
        "oidc/authenticate/",
        sso_views.SsoStartView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        sso_views.SsoCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path("oidc/resume/", sso_resume.post_resume, name="sso_resume"),
    path("api/v1/", include("lookup.api.urls")),
    path("", include("lookup.urls")),
]

handler400 = "lookup.error_pages.bad_request"
handler403 = "lookup.error_pages.permission_denied"
handler404 = "lookup.error_pages.page_not_found"
handler500 = "lookup.error_pages.server_error"
