from django.urls import path

from lookup import views

app_name = "lookup"

urlpatterns = [
    path("", views.search, name="search"),
    path("customers/<str:customer_id>/", views.customer_detail, name="customer"),
    path(
        "customers/<str:customer_id>/numbers/<str:phone>/unlink/",
        views.link_unlink,
        name="unlink",
    ),
    path(
        "customers/<str:customer_id>/numbers/<str:phone>/restore/",
        views.link_restore,
        name="restore",
    ),
]
