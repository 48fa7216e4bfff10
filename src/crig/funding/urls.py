from crig.funding.views import register, requests

app_name = "funding"

urlpatterns = [*requests.routes, *register.routes]
