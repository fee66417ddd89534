"""The star-courtyard plate (星级创建牌): an A6 portrait PDF page per courtyard, fixed to its gate.

The plate shows the courtyard's name and code, its star rating, a band in its risk colour, the
landlord's name masked, a public contact channel and a QR code that opens the public courtyard page
(``/public/courtyards/<public_token>/``, which always shows the current colour: a printed plate
is a snapshot). Nothing else personal is printed.

The text is Chinese whatever the viewer's language (the plate hangs in a Chinese street): every
string goes through gettext with an English msgid and is rendered under
``translation.override("zh-hans")``. The CJK font (WenQuanYi Zen Hei by default, setting
``GRIDGOV_CJK_FONT_PATH``) is embedded (subset) in the PDF. The QR code is drawn as vector
rectangles, so no image or temporary file is involved.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable, Iterable

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from gridgov.core.masking import mask_name
from gridgov.registry.models import Courtyard, RiskColor

PAGE_WIDTH, PAGE_HEIGHT = A6  # 105 × 148 mm = 297.6378 × 419.5276 pt
PLATE_LANGUAGE = "zh-hans"
FONT_NAME = "GridgovCJK"
DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# Band colours of the four levels, and the text colour that reads on each.
BAND_COLORS: dict[str, tuple[Color, Color]] = {
    RiskColor.RED: (HexColor("#C62828"), white),
    RiskColor.ORANGE: (HexColor("#EF6C00"), white),
    RiskColor.YELLOW: (HexColor("#F9C80E"), HexColor("#222222")),
    RiskColor.BLUE: (HexColor("#1565C0"), white),
}
STAR_ON = HexColor("#F2A900")
STAR_OFF = HexColor("#C8C8C8")
MUTED = HexColor("#555555")

_font_lock = threading.Lock()


def register_font() -> str:
    """Register the CJK font with reportlab once per process; returns its name."""
    with _font_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path = getattr(settings, "GRIDGOV_CJK_FONT_PATH", "") or DEFAULT_FONT_PATH
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            except (
                Exception
            ) as error:  # reportlab raises TTFError for a bad file, OSError if missing
                raise ImproperlyConfigured(
                    f"Cannot load the CJK font for plates from {path!r} ({error}). Install "
                    "fonts-wqy-zenhei or set GRIDGOV_CJK_FONT_PATH."
                ) from error
    return FONT_NAME


def public_path(courtyard: Courtyard) -> str:
    return reverse("public:courtyard", args=[courtyard.public_token])


def public_url(courtyard: Courtyard, *, base_url: str = "") -> str:
    """The absolute address the QR code holds: ``GRIDGOV_PUBLIC_BASE_URL`` if set (the address
    residents reach from the internet), else ``base_url`` (the request's own scheme and host)."""
    base = getattr(settings, "GRIDGOV_PUBLIC_BASE_URL", "") or base_url
    if not base:
        raise ImproperlyConfigured("Set GRIDGOV_PUBLIC_BASE_URL to print courtyard plates.")
    return base.rstrip("/") + public_path(courtyard)


def render_plates(courtyards: Iterable[Courtyard], *, url_for: Callable[[Courtyard], str]) -> bytes:
    """One A6 page per courtyard, in the given order; the courtyards come with their landlord."""
    register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setCreator("gridgov")
    with translation.override(PLATE_LANGUAGE):
        canvas.setTitle(_("Courtyard plates"))
        pages = 0
        for courtyard in courtyards:
            _draw_plate(canvas, courtyard, url_for(courtyard))
            canvas.showPage()
            pages += 1
        if not pages:  # a PDF needs a page; say why it is empty
            canvas.setFont(FONT_NAME, 12)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT / 2, _("No courtyard to print."))
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_plate(courtyard: Courtyard, *, url: str) -> bytes:
    return render_plates([courtyard], url_for=lambda _courtyard: url)


# --- drawing --------------------------------------------------------------------------------------

MARGIN = 7 * mm
BAND_HEIGHT = 24 * mm


def _draw_plate(canvas: Canvas, courtyard: Courtyard, url: str) -> None:
    color = courtyard.effective_risk_color
    band, on_band = BAND_COLORS.get(color, BAND_COLORS[RiskColor.BLUE])
    width = PAGE_WIDTH - 2 * MARGIN

    # Risk colour band across the top, with the title and the level.
    canvas.setFillColor(band)
    canvas.rect(0, PAGE_HEIGHT - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(on_band)
    canvas.setFont(FONT_NAME, 19)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, _("Star courtyard"))
    canvas.setFont(FONT_NAME, 10)
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        PAGE_HEIGHT - 19 * mm,
        _("Safety risk level: %(color)s") % {"color": str(RiskColor(color).label)},
    )

    # Stars.
    y = PAGE_HEIGHT - BAND_HEIGHT - 10 * mm
    stars = courtyard.star_rating or 0
    if stars:
        radius = 4.2 * mm
        gap = 1.6 * mm
        total = 5 * 2 * radius + 4 * gap
        x = (PAGE_WIDTH - total) / 2 + radius
        for index in range(5):
            _star(canvas, x + index * (2 * radius + gap), y, radius, filled=index < stars)
    else:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT_NAME, 9)
        canvas.drawCentredString(PAGE_WIDTH / 2, y - 3, _("Star rating pending"))

    # Name (wrapped, at most two lines) and code.
    canvas.setFillColor(black)
    y -= 11 * mm
    name_size = 15
    lines = simpleSplit(courtyard.name, FONT_NAME, name_size, width)[:2]
    canvas.setFont(FONT_NAME, name_size)
    for line in lines:
        canvas.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= name_size + 3
    canvas.setFont(FONT_NAME, 9)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, y, _("Courtyard code: %(code)s") % {"code": courtyard.code}
    )

    # Landlord (masked) and contact channel.
    y -= 6 * mm
    canvas.setFillColor(black)
    canvas.setFont(FONT_NAME, 10)
    landlord = mask_name(courtyard.landlord.name) if courtyard.landlord_id else "—"
    canvas.drawString(MARGIN, y, _("Landlord: %(name)s") % {"name": landlord})
    y -= 5.5 * mm
    contact = courtyard.contact_channel or "—"
    for line in simpleSplit(_("Contact: %(channel)s") % {"channel": contact}, FONT_NAME, 10, width)[
        :2
    ]:
        canvas.drawString(MARGIN, y, line)
        y -= 5 * mm

    # QR code, as large as the rest of the page allows, centred above the caption.
    caption_height = 12 * mm
    qr_size = min(width * 0.72, y - MARGIN - caption_height - 2 * mm)
    qr_x = (PAGE_WIDTH - qr_size) / 2
    qr_y = MARGIN + caption_height
    _qr(canvas, url, qr_x, qr_y, qr_size)
    canvas.setFillColor(black)
    canvas.setFont(FONT_NAME, 9)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, MARGIN + 7 * mm, _("Scan for the courtyard's information")
    )
    canvas.setFillColor(MUTED)
    url_size = 5.5
    while url_size > 3.5 and pdfmetrics.stringWidth(url, FONT_NAME, url_size) > width:
        url_size -= 0.5
    canvas.setFont(FONT_NAME, url_size)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN + 2.5 * mm, url)


def _star(canvas: Canvas, cx: float, cy: float, radius: float, *, filled: bool) -> None:
    path = canvas.beginPath()
    inner = radius * 0.42
    for point in range(10):
        r = radius if point % 2 == 0 else inner
        angle = math.pi / 2 + point * math.pi / 5
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.setFillColor(STAR_ON if filled else STAR_OFF)
    canvas.drawPath(path, stroke=0, fill=1)


def _qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``data`` as filled rectangles (one per run of dark modules in a row),
    with its quiet zone of 4 modules inside ``size``."""
    code = segno.make(data, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    for row_index, row in enumerate(rows):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                # A hair wider than the run so that no seam shows between neighbouring rows.
                canvas.rect(
                    x + start * module,
                    top - 0.05,
                    (column - start) * module,
                    module + 0.1,
                    stroke=0,
                    fill=1,
                )
                start = None
