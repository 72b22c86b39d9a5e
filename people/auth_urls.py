"""Sign-in, sign-out, password reset, two-factor sign-in and invitations; the single
sign-on's provider login and callback come from django-allauth (``oidc/``)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import auth_views as views
from .views import PasswordResetView

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("invitation/<str:token>/renew/", views.invitation_renew, name="invitation-renew"),
    path(
        "password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
]
