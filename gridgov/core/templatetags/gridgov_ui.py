"""Small helpers for the console's templates: ``{% load gridgov_ui %}``.

- ``{% icon "grid" %}``: an inline SVG icon drawn with ``currentColor`` (no icon font, no CDN);
  decorative by default, ``{% icon "search" label=_("Search") %}`` when it is the only label.
- ``{{ area|area_link_allowed:user }}``: whether to render a link to an area (a breadcrumb shows the
  ancestors of an area, and those above the user's own subtree would answer 404).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gridgov.core.scoping import scope_of

register = template.Library()

# 24×24 outline icons drawn for gridgov, stroked with the text colour.
ICONS: dict[str, str] = {
    "home": '<path d="M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"/>',
    "grid": '<path d="M3.5 3.5h7v7h-7zM13.5 3.5h7v7h-7zM13.5 13.5h7v7h-7zM3.5 13.5h7v7h-7z"/>',
    "system": (
        '<path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1"/>'
        '<circle cx="15" cy="6" r="2"/><circle cx="9" cy="12" r="2"/><circle cx="17" cy="18" r="2"/>'
    ),
    "cases": '<rect x="5" y="4" width="14" height="17" rx="2"/><path d="M9 3h6v3H9zM9 11h6M9 15h4"/>',
    "registry": (
        '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c.8-3.5 3.4-5.5 6.5-5.5s5.7 2 6.5 5.5"/>'
        '<path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14.7c1.9.8 3.1 2.7 3.5 5.3"/>'
    ),
    "map": '<path d="M9 4 3 6v14l6-2 6 2 6-2V4l-6 2z"/><path d="M9 4v14M15 6v14"/>',
    "cockpit": '<path d="M4 20V11M10 20V5M16 20v-6M21 20H3"/>',
    "party": '<path d="M5 21V4M5 4h12l-2.5 4L17 12H5"/>',
    "volunteers": '<path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z"/>',
    "participation": '<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9h8M8 12h5"/>',
    "work": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "close": '<path d="M6 6l12 12M18 6 6 18"/>',
    "logout": '<path d="M15 4h4a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-4M10 8l-4 4 4 4M6 12h10"/>',
    "language": (
        '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.7 3.5 5.7 3.5 9s-1 6.3-3.5 9'
        'c-2.5-2.7-3.5-5.7-3.5-9s1-6.3 3.5-9z"/>'
    ),
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-4-4"/>',
    "chevron-right": '<path d="m9 6 6 6-6 6"/>',
    "chevron-left": '<path d="m15 6-6 6 6 6"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c1-4 4-6 8-6s7 2 8 6"/>',
    "building": (
        '<path d="M4 21V5l8-2v18M12 8l8 2v11M2 21h20M7 8h2M7 12h2M7 16h2M15 13h2M15 17h2"/>'
    ),
    "location": (
        '<path d="M12 21s-6-5.7-6-11a6 6 0 0 1 12 0c0 5.3-6 11-6 11z"/><circle cx="12" cy="10" r="2"/>'
    ),
    "alert": '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17h.01"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "back": '<path d="M19 12H5M11 6l-6 6 6 6"/>',
    "dot": '<circle cx="12" cy="12" r="3.5"/>',
}
# Other names modules use for the same pictures.
ICONS.update(
    {
        "people": ICONS["registry"],
        "users": ICONS["registry"],
        "settings": ICONS["system"],
        "inbox": ICONS["cases"],
        "chart": ICONS["cockpit"],
        "calendar": ICONS["work"],
    }
)


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20) -> SafeString:
    """An inline SVG icon; unknown names draw a dot rather than failing the page."""
    paths = mark_safe(ICONS.get(name, ICONS["dot"]))  # noqa: S308 (constants of this module) # nosec B308 B703
    if label:
        return format_html(
            '<svg class="icon icon-{}" width="{}" height="{}" viewBox="0 0 24 24" role="img" '
            'aria-label="{}" focusable="false" fill="none" stroke="currentColor" '
            'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{}</svg>',
            name,
            size,
            size,
            label,
            paths,
        )
    return format_html(
        '<svg class="icon icon-{}" width="{}" height="{}" viewBox="0 0 24 24" aria-hidden="true" '
        'focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round">{}</svg>',
        name,
        size,
        size,
        paths,
    )


@register.filter
def area_link_allowed(area: Any, user: Any) -> bool:
    """Whether ``user``'s scope covers ``area`` (from the cached scope, no query once computed).

    Only decides whether a link is drawn; the area views enforce the scope themselves.
    """
    scope = scope_of(user)
    if scope.everything:
        return True
    code = getattr(area, "code", "") or ""
    return any(code.startswith(prefix) for prefix in scope.area_codes)
