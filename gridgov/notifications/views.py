"""The inbox: a user's own notifications, newest first; mark one or all read; the unread badge.

Thin: every read goes through ``Notification.objects.for_user`` (an id from another inbox is a
404), every write through the services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from gridgov.notifications import services
from gridgov.notifications.models import Notification

PAGE_SIZE = 50
# htmx stops polling when an answer has this status: a signed-out page has no badge to refresh.
HTMX_STOP_POLLING = 286


def _own(request: HttpRequest, pk: int) -> Notification:
    try:
        return Notification.objects.for_user(request.user).get(pk=pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("show") == "unread"
    notifications = Notification.objects.for_user(request.user)
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": services.unread_count(request.user),
        },
    )


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _own(request, pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        return render(request, "notifications/_row.html", {"notification": notification})
    return redirect("notifications:inbox")


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points (a path inside the site)."""
    notification = _own(request, pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar, which polls it with htmx."""
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return render(
        request, "notifications/_badge.html", {"unread": services.unread_count(request.user)}
    )
