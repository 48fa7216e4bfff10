from crig.actionplan import views

app_name = "actionplan"

urlpatterns = [*views.routes]
