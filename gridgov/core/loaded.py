"""Keep what a long-running process loads at start out of the garbage collector's full passes.

A gunicorn worker holds about 130,000 objects once Django, the apps, their URL patterns and
translations are loaded, and CPython's full collection walks every one of them: 80-90 ms on the
benchmark machine, during which that worker answers nobody. Under the intake load test each
worker ran one every ten seconds or so, and a run's p99 jumped from about 15 ms to 65-160 ms
whenever one fell in its paced phase. Those objects live as long as the process, so after one
collection they are frozen (``gc.freeze``): later collections walk only what requests create.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def freeze_loaded() -> int:
    """Load what the first requests would (every URL module and view, each language's
    catalogue), collect once, and freeze what is left; returns how many objects were frozen."""
    get_resolver().reverse_dict  # noqa: B018 (imports every urls module and view; fills the resolver)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogue
            pass
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
