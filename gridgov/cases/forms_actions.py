"""The small forms of the case page: one per workflow action, with the fields that action needs.

Forms only parse and present. Whether the action is allowed, who may take it and what its payload
must hold is decided by ``workflow.transition``; its reasons (WorkflowError) are shown on the form.
Every select offers only what the user may see: areas of their scope, departments serving the
case's place, visible open cases for a merge, active subcategories.

Each form carries the case's ``expected_version``: a page that is stale by the time it is posted
gets the ConcurrentChange message instead of overwriting someone else's change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.guards import AREA_HANDLER_ROLES
from gridgov.cases.models import OPEN_STATUSES, Case, Category, ReplyTemplate
from gridgov.cases.workflow import TRANSITIONS
from gridgov.core.models import Department, RoleAssignment, User

DISPATCH_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID, AreaLevel.MICRO_GRID)
YES_NO = (("yes", _("Yes")), ("no", _("No")))
EXTENSION_CHOICES = (
    ("1", _("1 working day")),
    ("2", _("2 working days")),
    ("3", _("3 working days")),
    ("5", _("5 working days")),
    ("7", _("7 working days")),
    ("15", _("15 working days")),
)
TEXTAREA = forms.Textarea(attrs={"rows": 2})


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def subcategory_choices(queryset: QuerySet[Category]) -> list[tuple[Any, Any]]:
    """Active subcategories grouped under their class (an ``<optgroup>`` each), for a select."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for category in queryset.select_related("parent").order_by("parent__code", "order", "code"):
        parent = category.parent
        label = f"{parent.code} {parent.name}" if parent else ""
        groups.setdefault(label, []).append((category.pk, f"{category.code} {category.name}"))
    return [("", "---------"), *groups.items()]


def active_subcategories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, parent__isnull=False, parent__active=True)


def reply_templates_for(case: Case) -> list[ReplyTemplate]:
    """常用回复 offered on a case: active templates of its category (or its class), or of none."""
    categories = [case.category_id]
    if case.category.parent_id:
        categories.append(case.category.parent_id)
    return list(
        ReplyTemplate.objects.filter(active=True).filter(
            Q(category__isnull=True) | Q(category_id__in=categories)
        )
    )


def departments_serving(case: Case) -> QuerySet[Department]:
    """Active departments serving the case's place: those of its street (or of an area above)."""
    prefixes = [case.area.code[:n] for n in range(4, len(case.area.code) + 1)]
    return Department.objects.filter(active=True, area__code__in=prefixes).order_by("name")


class ActionForm(forms.Form):
    """Common part: the version the page showed, the action's text and the reply picker."""

    # The name the text goes by in the workflow's payload ("note" is the timeline note itself).
    text_name = "note"
    text_label = _("Note")

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        case: Case,
        user: Any,
        action: str,
        reply_templates: list[ReplyTemplate] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_version", case.version)
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.case, self.user, self.action = case, user, action
        self.spec = TRANSITIONS[action]
        self.label = self.spec.label
        self.add_fields()
        if self.text_name:
            required = self.text_name in self.spec.requires or action == "note"
            attrs = {"rows": 2, "data-action-text": ""}
            if required:
                attrs["required"] = ""  # a browser hint; the workflow decides
            self.fields["text"] = forms.CharField(
                label=self.text_label,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs=attrs),
            )
            templates = reply_templates or []
            if templates:
                field = forms.ModelChoiceField(
                    label=_("Common replies"),
                    queryset=ReplyTemplate.objects.filter(pk__in=[t.pk for t in templates]),
                    required=False,
                    empty_label=_("Choose a reply…"),
                    widget=forms.Select(attrs={"data-reply-template": ""}),
                )
                field.widget.choices = [("", _("Choose a reply…"))] + [
                    (t.pk, t.title) for t in templates
                ]
                self.fields["reply_template"] = field

    def add_fields(self) -> None:
        """The action's own fields (none by default)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template = data.get("reply_template")
        if template is not None and not (data.get("text") or "").strip():
            data["text"] = template.text  # the picker works without JavaScript too
        return data

    def transition_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``workflow.transition`` (besides case, action and actor)."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"expected_version": data["expected_version"]}
        text = (data.get("text") or "").strip()
        if self.text_name == "note":
            kwargs["note"] = text
        elif self.text_name:
            kwargs[self.text_name] = text
        kwargs.update(self.payload())
        return kwargs

    def payload(self) -> dict[str, Any]:
        return {}


class ReasonForm(ActionForm):
    text_name = "reason"
    text_label = _("Reason")


class RejectForm(ReasonForm):
    text_label = _("Why the case is not accepted")


class ReturnForm(ReasonForm):
    text_label = _("Why this is not yours")


class EscalateForm(ReasonForm):
    text_label = _("Why it needs the next level")


class ReopenForm(ReasonForm):
    text_label = _("What is still not fixed")


class SuspendForm(ReasonForm):
    text_label = _("What the case waits for")


class AssistDoneForm(ReasonForm):
    text_label = _("What your department did")


class ResolveForm(ActionForm):
    text_name = "result"
    text_label = _("Result")


class DispatchForm(ActionForm):
    """To an area queue, a department or a person; with nothing chosen, to the suggestion."""

    def add_fields(self) -> None:
        case, user = self.case, self.user
        street_code = case.area.code[:9]
        self.fields["area"] = AreaChoiceField(
            label=_("Area queue"),
            queryset=Area.objects.visible_to(user)
            .active()
            .filter(level__in=DISPATCH_LEVELS, code__startswith=street_code)
            .order_by("code"),
            required=False,
        )
        self.fields["department"] = forms.ModelChoiceField(
            label=_("Department"), queryset=departments_serving(case), required=False
        )
        # People who would see the case: handlers holding a role at its place or above it.
        prefixes = [case.area.code[:n] for n in range(4, len(case.area.code) + 1)]
        people = RoleAssignment.objects.visible_to(user).filter(
            active=True, role__in=AREA_HANDLER_ROLES, area__code__in=prefixes
        )
        self.fields["user"] = PersonChoiceField(
            label=pgettext_lazy("assignee", "Person"),
            queryset=User.objects.filter(is_active=True, pk__in=people.values("user_id")).order_by(
                "full_name", "username"
            ),
            required=False,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [name for name in ("area", "department", "user") if data.get(name)]
        if len(chosen) > 1:
            raise forms.ValidationError(
                _("Choose an area, a department or a person: only one of them.")
            )
        return data

    def payload(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("area", "department", "user")
            if self.cleaned_data.get(name)
        }


class VerifyForm(ActionForm):
    text_name = "reason"
    text_label = _("What is not fixed (when it failed)")

    def add_fields(self) -> None:
        self.fields["passed"] = forms.ChoiceField(
            label=_("Fixed on site?"), choices=YES_NO, widget=forms.RadioSelect, initial="yes"
        )

    def payload(self) -> dict[str, Any]:
        return {"passed": self.cleaned_data["passed"] == "yes"}


class RateForm(ActionForm):
    text_name = "comment"
    text_label = _("Comment")

    def add_fields(self) -> None:
        self.fields["rating"] = forms.TypedChoiceField(
            label=_("Rating"),
            choices=[("", "---------")] + [(n, str(n)) for n in range(5, 0, -1)],
            coerce=int,
            required=False,
        )

    def payload(self) -> dict[str, Any]:
        return {"rating": self.cleaned_data.get("rating")}


class WhistleForm(ActionForm):
    def add_fields(self) -> None:
        departments = departments_serving(self.case)
        self.fields["lead"] = forms.ModelChoiceField(
            label=_("Lead department"), queryset=departments, required=False
        )
        self.fields["assisting"] = forms.ModelMultipleChoiceField(
            label=_("Assisting departments"),
            queryset=departments,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def payload(self) -> dict[str, Any]:
        return {
            "lead": self.cleaned_data.get("lead"),
            "assisting": list(self.cleaned_data.get("assisting") or []),
        }


class MergeForm(ActionForm):
    """The surviving case is typed by number (or picked from nearby open cases)."""

    def add_fields(self) -> None:
        visible_open = (
            Case.objects.visible_to(self.user)
            .filter(status__in=OPEN_STATUSES)
            .exclude(pk=self.case.pk)
        )
        self.fields["into"] = forms.ModelChoiceField(
            label=_("Merge into case number"),
            queryset=visible_open,
            to_field_name="number",
            required=False,
            widget=forms.TextInput(attrs={"list": "merge-candidates", "autocomplete": "off"}),
            error_messages={"invalid_choice": _("No open case with this number in your areas.")},
        )
        self.candidates = list(
            visible_open.filter(area__code__startswith=self.case.area.code[:9])
            .order_by("-reported_at")
            .only("number", "title")[:30]
        )

    def payload(self) -> dict[str, Any]:
        return {"into": self.cleaned_data.get("into")}


class RequestExtensionForm(ActionForm):
    text_name = "reason"
    text_label = _("Why more time is needed")

    def add_fields(self) -> None:
        self.fields["duration"] = forms.ChoiceField(
            label=_("More time"), choices=EXTENSION_CHOICES, initial="3"
        )

    def payload(self) -> dict[str, Any]:
        return {"duration": self.cleaned_data["duration"]}


class DecideExtensionForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["approve"] = forms.ChoiceField(
            label=_("Grant the extension?"), choices=YES_NO, widget=forms.RadioSelect
        )

    def payload(self) -> dict[str, Any]:
        return {"approve": self.cleaned_data["approve"] == "yes"}


class RecategorizeForm(ActionForm):
    def add_fields(self) -> None:
        queryset = active_subcategories()
        field = forms.ModelChoiceField(label=_("New category"), queryset=queryset, required=False)
        field.widget.choices = subcategory_choices(queryset)
        self.fields["category"] = field

    def payload(self) -> dict[str, Any]:
        return {"category": self.cleaned_data.get("category")}


class NoteForm(ActionForm):
    def add_fields(self) -> None:
        self.fields["public"] = forms.BooleanField(
            label=_("Public update (the reporter sees it)"), required=False
        )

    def transition_kwargs(self) -> dict[str, Any]:
        kwargs = super().transition_kwargs()
        kwargs["public"] = bool(self.cleaned_data.get("public"))
        return kwargs


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": ActionForm,
    "reject": RejectForm,
    "dispatch": DispatchForm,
    "claim": ActionForm,
    "return": ReturnForm,
    "assist_done": AssistDoneForm,
    "resolve": ResolveForm,
    "verify": VerifyForm,
    "close": ActionForm,
    "rate": RateForm,
    "reopen": ReopenForm,
    "escalate": EscalateForm,
    "whistle": WhistleForm,
    "merge": MergeForm,
    "supervise": ActionForm,
    "unsupervise": ActionForm,
    "request_extension": RequestExtensionForm,
    "decide_extension": DecideExtensionForm,
    "suspend": SuspendForm,
    "resume": ActionForm,
    "recategorize": RecategorizeForm,
    "note": NoteForm,
}


def action_form(
    action: str,
    *,
    case: Case,
    user: Any,
    data: Any = None,
    reply_templates: list[ReplyTemplate] | None = None,
) -> ActionForm:
    return ACTION_FORMS[action](
        data, case=case, user=user, action=action, reply_templates=reply_templates
    )
