from django.urls import path

from gridgov.core.views import auth, files, home

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/login/code/", auth.LoginVerifyView.as_view(), name="login_verify"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/", auth.TwoFactorView.as_view(), name="two_factor"),
    path("accounts/2fa/remove/", auth.TwoFactorRemoveView.as_view(), name="two_factor_remove"),
    path("files/<uuid:file_id>/", files.download, name="file_download"),
]

# Personal-data reveals and the audit log (see gridgov/core/urls_personal_data.py).
from gridgov.core.urls_personal_data import urlpatterns as _personal_data_and_audit  # noqa: E402

urlpatterns += _personal_data_and_audit
