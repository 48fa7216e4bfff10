from django.urls import path

from crig.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("donnees-et-licences/", views.about_data, name="about_data"),
]
