"""Admin for accounts, their roles, and departments.

Rules the admin keeps:
- The phone number (encrypted) is shown masked everywhere; the form has only an empty input to set
  a new one, never the stored number.
- A password an administrator sets (new account, or reset) is known to someone else, so the user
  must choose their own at the next sign-in (``must_change_password``).
- There is one sign-in path: the admin's own login page sends people to ours, so the lockout and
  the second factor guard the admin too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import validate_phone
from gridgov.core.models import Department, RoleAssignment, User
from gridgov.core.passwords import user_password_set_by_admin


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    if request.user.is_authenticated:
        # Signed in but not staff: sending them to sign in again would loop back here.
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("core:login")
    )


admin.site.login = _admin_login  # type: ignore[method-assign]


def masked_phone(user: User) -> str:
    return User._meta.get_field("phone").masked(user)  # type: ignore[attr-defined]


class NewPhoneMixin(forms.ModelForm):
    """An empty input that sets a new phone number; the stored one is never put in the page."""

    new_phone = forms.CharField(
        label=_("New phone number"),
        required=False,
        help_text=_("Leave empty to keep the current number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean_new_phone(self) -> str:
        value = self.cleaned_data.get("new_phone", "").strip()
        if not value:
            return ""
        try:
            return validate_phone(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.cleaned_data.get("new_phone"):
            self.instance.phone = self.cleaned_data["new_phone"]


class UserCreationForm(NewPhoneMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name")

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        # AdminUserCreationForm has set (or disabled) the password; the admin knows it.
        user.must_change_password = user.has_usable_password()
        if commit:
            user.save()
            self._save_m2m()
        return user


class UserChangeForm(NewPhoneMixin, DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        # Not "phone": its plaintext must never be put in the page.
        fields = (
            "username",
            "password",
            "full_name",
            "email",
            "is_active",
            "must_change_password",
            "is_demo",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class PasswordSetByAdminForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("set_usable_password", True):
            raw_password: str | None = self.cleaned_data["password1"]
        else:
            raw_password = None
        user_password_set_by_admin(user=self.user, raw_password=raw_password)
        return self.user


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ("role", "area", "department", "worker_kind", "active", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("area",)  # the area tree of a city has thousands of nodes: no select box
    list_select_related = ("area", "department")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return super().get_queryset(request).select_related("area", "department")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = PasswordSetByAdminForm
    inlines = [RoleAssignmentInline]
    list_display = (
        "username",
        "full_name",
        "phone_masked",
        "is_active",
        "is_staff",
        "must_change_password",
        "is_demo",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "must_change_password", "is_demo")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    readonly_fields = (
        "phone_masked",
        "password_changed_at",
        "last_login",
        "date_joined",
        "uid",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone_masked", "new_phone", "email")}),
        (
            _("Sign-in"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "password_changed_at",
                    "is_demo",
                    "last_login",
                    "date_joined",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "new_phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: User) -> str:
        return masked_phone(obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A phone number is found through its blind index (the column itself is ciphertext).
        try:
            number = validate_phone(search_term)
        except ValidationError:
            return results, may_have_duplicates
        by_phone = queryset.filter(phone_index=lookup_index(User, "phone", number))
        return results | by_phone, may_have_duplicates


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    raw_id_fields = ("area",)
    list_select_related = ("area",)


from gridgov.core import admin_audit  # noqa: E402,F401  (read-only audit log admin)
