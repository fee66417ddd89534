"""Sign in (password, then a code for accounts with an authenticator app), sign out, change the
password, enrol or remove the authenticator, and the lockout answer.

Sign-in with a second factor is two requests. The password step does not log the user in: it keeps
the account's id in the anonymous session for a few minutes, and only a correct code calls
``login()`` and marks the session OTP-verified (``django_otp.login``).
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from gridgov.core import otp
from gridgov.core.middleware import SESSION_SECOND_FACTOR_CHECKED, SESSION_SIGNED_OUT_REASON
from gridgov.core.models import User
from gridgov.core.passwords import password_change_due, user_password_change

# The account that passed the password step and still owes a code.
SESSION_PENDING_LOGIN = "gridgov_pending_login"
# Long enough to unlock a phone and open the app; short enough that an abandoned half-login dies.
PENDING_LOGIN_SECONDS = 5 * 60


# --- Forms ----------------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Django's form (its messages are already translated), with hints for password managers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CodeField(forms.CharField):
    """Six digits; spaces that apps show in the middle (123 456) are dropped before the check."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace(" ", "")


class CodeForm(forms.Form):
    code = CodeField(
        label=gettext_lazy("Six-digit code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
        validators=[
            RegexValidator(
                r"^\d{6}$",
                message=gettext_lazy("Enter the six digits shown in your authenticator app."),
            )
        ],
    )


class NewPasswordForm(PasswordChangeForm):
    """Django's change form (old password, then the new one twice, checked by the policy's
    validators), refusing a new password equal to the current one."""

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        if password and self.user.check_password(password):
            raise forms.ValidationError(
                _("Your new password must differ from the current one."),
                code="password_unchanged",
            )
        return password


class PasswordConfirmForm(forms.Form):
    """Re-entering the password before a sensitive change (removing the authenticator)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Through authenticate(), so that guesses here count toward the lockout like on the login page.
        user = authenticate(
            self.request, username=self.request.user.get_username(), password=password
        )
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError(_("This password is wrong."), code="password_incorrect")
        return password


# --- Sign in --------------------------------------------------------------------------------------


_SIGNED_OUT_MESSAGES = {
    "idle": gettext_lazy("You were signed out after a period of inactivity. Please sign in again."),
    "expired": gettext_lazy("Your session reached its maximum length. Please sign in again."),
    "second_factor": gettext_lazy(
        "Please sign in again with your password and a code from your authenticator app."
    ),
}


class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reason = request.session.pop(SESSION_SIGNED_OUT_REASON, None)
        if reason in _SIGNED_OUT_MESSAGES:
            messages.info(request, _SIGNED_OUT_MESSAGES[reason])
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if otp.confirmed_device(user) is None:
            return super().form_valid(form)  # logs in
        self.request.session[SESSION_PENDING_LOGIN] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),  # already checked against ALLOWED_HOSTS
            "at": time.time(),
        }
        return redirect("core:login_verify")


def _pending_login(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(SESSION_PENDING_LOGIN)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        del request.session[SESSION_PENDING_LOGIN]
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class LoginVerifyView(FormView):
    """Second step of sign-in: the six-digit code from the authenticator app."""

    template_name = "auth/login_verify.html"
    form_class = CodeForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _pending_login(request)
        if found is None:
            messages.info(request, _("Please sign in with your user name and password first."))
            return redirect("core:login")
        self.pending_user, self.pending = found
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: CodeForm) -> HttpResponse:
        outcome, device = otp.device_verify(user=self.pending_user, code=form.cleaned_data["code"])
        if outcome is otp.CodeCheck.ACCEPTED and device is not None:
            del self.request.session[SESSION_PENDING_LOGIN]
            auth_login(self.request, self.pending_user, backend=self.pending["backend"])
            django_otp.login(self.request, device)
            return HttpResponseRedirect(self.pending["next"])
        form.add_error("code", _code_error(outcome, self.pending_user))
        return self.form_invalid(form)


def _code_error(outcome: otp.CodeCheck, user: Any) -> str:
    if outcome is otp.CodeCheck.THROTTLED:
        seconds = otp.throttle_seconds(user)
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then enter the current code.",
            "Too many wrong codes. Wait %(seconds)d seconds, then enter the current code.",
            seconds,
        ) % {"seconds": seconds}
    return _("This code is wrong or has expired. Enter the code your authenticator app shows now.")


class LogoutView(auth_views.LogoutView):
    pass


# --- Password -------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "auth/password_change.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("core:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if getattr(user, "must_change_password", False):
            context["reason"] = "first"
        elif password_change_due(user):
            context["reason"] = "expired"
            context["max_age_days"] = settings.GRIDGOV_PASSWORD_MAX_AGE_DAYS
        return context

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        user = form.user
        user_password_change(user=user, raw_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)  # keeps this session, ends the others
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


# --- Two-factor enrolment -------------------------------------------------------------------------


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _two_factor_page(
    request: HttpRequest,
    *,
    code_form: CodeForm | None = None,
    remove_form: PasswordConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    device = otp.confirmed_device(user)
    context: dict[str, Any] = {
        "enrolled": device is not None,
        "required": otp.second_factor_required(user),
        "next": _safe_next(request, ""),
    }
    if device is not None:
        context["device"] = device
        context["remove_form"] = remove_form or PasswordConfirmForm(request=request)
    else:
        pending = otp.device_enrol_start(user=user)
        context["qr_svg"] = mark_safe(otp.qr_svg(pending))  # noqa: S308 (SVG drawn by segno from our own data) # nosec B308 B703
        context["manual_key"] = otp.manual_key(pending)
        context["issuer"] = settings.OTP_TOTP_ISSUER
        context["code_form"] = code_form or CodeForm()
    return render(request, "auth/two_factor.html", context, status=status)


@method_decorator([login_required, never_cache], name="dispatch")
class TwoFactorView(View):
    """Shows the authenticator's state; enrols one (QR code, manual key, a code to confirm)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return _two_factor_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if otp.confirmed_device(request.user) is not None:
            return redirect("core:two_factor")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _two_factor_page(request, code_form=form)
        device = otp.device_enrol_start(user=request.user)
        outcome = otp.device_enrol_confirm(device=device, code=form.cleaned_data["code"])
        if outcome is not otp.CodeCheck.ACCEPTED:
            form.add_error("code", _code_error(outcome, device))
            return _two_factor_page(request, code_form=form)
        django_otp.login(request, device)  # this session has just proven the second factor
        request.session.pop(SESSION_SECOND_FACTOR_CHECKED, None)
        messages.success(
            request,
            _("Two-factor sign-in is on. From now on you will enter a code after your password."),
        )
        return redirect(_safe_next(request, reverse("core:two_factor")))


@method_decorator(
    [login_required, never_cache, sensitive_post_parameters("password")], name="dispatch"
)
class TwoFactorRemoveView(View):
    """Removes the authenticator after the user re-enters the password."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if otp.confirmed_device(request.user) is None:
            return redirect("core:two_factor")
        if not request.user.is_verified():
            # Only a session that passed the second factor may remove it.
            return redirect(reverse(settings.LOGIN_URL))
        form = PasswordConfirmForm(request.POST, request=request)
        if not form.is_valid():
            return _two_factor_page(request, remove_form=form)
        otp.device_remove(user=request.user)
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        request.session.pop(SESSION_SECOND_FACTOR_CHECKED, None)
        messages.success(
            request, _("Two-factor sign-in is off. Sign-in asks only for your password.")
        )
        return redirect("core:two_factor")


# --- Lockout --------------------------------------------------------------------------------------


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer of django-axes (AXES_LOCKOUT_CALLABLE) when an account and address had too many
    failed attempts: our own page, in the user's language, with status 429."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "code": "locked_out",
                "message": _("Too many failed sign-in attempts. Try again later."),
                "retry_after_minutes": _lockout_minutes(),
            },
            status=429,
        )
    response = render(request, "auth/locked.html", {"minutes": _lockout_minutes()}, status=429)
    response["Retry-After"] = str(_lockout_minutes() * 60)
    return response


def _lockout_minutes() -> int:
    return round(settings.AXES_COOLOFF_TIME * 60)
