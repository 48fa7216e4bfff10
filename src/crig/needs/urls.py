from crig.needs.views import needs, priorities

app_name = "needs"

urlpatterns = [*needs.routes, *priorities.routes]
