from django.urls import path

from crig.needs import views

app_name = "needs"

urlpatterns = [
    path("", views.need_list, name="list"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("priorisation/<int:pk>/", views.round_detail, name="round_detail"),
]
