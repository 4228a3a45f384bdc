from django.urls import path

from lookup import views

app_name = "lookup"

# Customer ids are whatever the users service wrote, '/' included: `path:` takes them all, and
# the longer routes come first so ".../numbers/<phone>/unlink/" is never read as an id.
urlpatterns = [
    path("", views.search, name="search"),
    path(
        "customers/<path:customer_id>/numbers/<str:phone>/unlink/",
        views.link_unlink,
        name="unlink",
    ),
    path(
        "customers/<path:customer_id>/numbers/<str:phone>/restore/",
        views.link_restore,
        name="restore",
    ),
    path("customers/<path:customer_id>/", views.customer_detail, name="customer"),
]
