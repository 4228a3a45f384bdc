from django.urls import path, re_path

from lookup.api import views

app_name = "api"

urlpatterns = [
    path("phone-links", views.phone_links_create, name="phone-links"),
    path("customers", views.customers_find, name="customers"),
    path("openapi.json", views.openapi_json, name="openapi"),
    # Last: anything else under /api/v1/ is a JSON 404.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
