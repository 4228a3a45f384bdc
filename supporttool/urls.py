from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lookup.api.urls")),
    path("", include("lookup.urls")),
]

handler404 = "lookup.views.page_not_found"
handler500 = "lookup.api.errors.server_error"
