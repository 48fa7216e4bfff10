from django.urls import path

from crig.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.index, name="index"),
    path("communes/<str:insee>/", views.commune_detail, name="commune_detail"),
    path("epci/<str:siren>/", views.epci_detail, name="epci_detail"),
    path(
        "departements/<str:code>/",
        views.departement_detail,
        name="departement_detail",
    ),
]
