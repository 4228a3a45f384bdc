from django.urls import path, register_converter

from lookup import bulk_views, views
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
    path("bulk/preview/", bulk_views.bulk_preview, name="bulk_preview"),
    path("bulk/preview/queue/", bulk_views.bulk_queue_preview, name="bulk_queue_preview"),
    path("bulk/confirm/", bulk_views.bulk_confirm, name="bulk_confirm"),
    path("bulk/<int:batch_id>/", bulk_views.bulk_batch, name="bulk_batch"),
    path("bulk/<int:batch_id>/undo/", bulk_views.bulk_undo, name="bulk_undo"),
]
