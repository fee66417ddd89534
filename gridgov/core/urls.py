from django.urls import path

from gridgov.core.views import auth, files, home

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("files/<uuid:file_id>/", files.download, name="file_download"),
]
