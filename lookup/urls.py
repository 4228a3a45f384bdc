from django.urls import path

from lookup import views

app_name = "lookup"

urlpatterns = [
    path("", views.search, name="search"),
    path("customers/<str:customer_id>/", views.customer_detail, name="customer"),
]
