from crig.news import views

app_name = "news"

urlpatterns = [*views.routes]
