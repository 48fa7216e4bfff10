from django.urls import path

from crig.members import views

app_name = "members"
urlpatterns = [
    path("membres/", views.directory, name="directory"),
    path("membres/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path(
        "membres/<slug:slug>/modifier/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "membres/<slug:slug>/inviter/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "membres/<slug:slug>/personnes/<int:person_id>/",
        views.membership_change,
        name="membership_change",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("mon-compte/", views.account, name="account"),
    path("mon-compte/mes-donnees/", views.account_export, name="account_export"),
    path("mon-compte/fermer/", views.account_close, name="account_close"),
    path("mon-compte/jetons/", views.api_token_create, name="api_token_create"),
    path(
        "mon-compte/jetons/<int:token_id>/revoquer/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oublie/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
