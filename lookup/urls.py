from django.urls import path, register_converter

from lookup import views
from lookup.converters import IdentifierConverter
from lookup.languages.views import language_set
from lookup.review_views import review_queue

app_name = "lookup"

# Customer ids and numbers are whatever the other services wrote: each is one escaped path
# segment (see lookup.converters), so no id can be read as another route.
register_converter(IdentifierConverter, "identifier")

urlpatterns = [
    path("", views.search, name="search"),
    path("language/", language_set, name="language"),
    path("review/", review_queue, name="review"),
    path(
        "customers/<identifier:customer_id>/numbers/<identifier:phone>/unlink/",
        views.link_unlink,
        name="unlink",
    ),
    path(
        "customers/<identifier:customer_id>/numbers/<identifier:phone>/restore/",
        views.link_restore,
        name="restore",
    ),
    path("customers/<identifier:customer_id>/", views.customer_detail, name="customer"),
]
