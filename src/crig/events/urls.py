from crig.events import views

app_name = "events"

urlpatterns = [*views.routes]
