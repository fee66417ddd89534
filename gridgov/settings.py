"""The one settings module. Everything that differs between machines comes from the environment.

Profiles (GRIDGOV_PROFILE):
- ``development`` (default): embedded SQLite under the data directory, secrets generated there.
- ``production``: every secret from the environment, secure cookies, HSTS; ``gridgov check --deploy``
  reports nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url

from gridgov.secrets import load_dev_secrets

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


PROFILE = env("GRIDGOV_PROFILE", "development")
if PROFILE not in ("development", "production"):
    raise RuntimeError(f"GRIDGOV_PROFILE must be 'development' or 'production', not {PROFILE!r}")
PRODUCTION = PROFILE == "production"

DATA_DIR = Path(env("GRIDGOV_DATA_DIR", str(Path.cwd() / "var"))).resolve()
MEDIA_ROOT = DATA_DIR / "media"  # never served by a public URL: downloads go through a scoped view
STATIC_ROOT = DATA_DIR / "static"
EXPORT_DIR = DATA_DIR / "exports"

if PRODUCTION:
    _secret = {
        "secret_key": env("GRIDGOV_SECRET_KEY"),
        "field_keys": env("GRIDGOV_FIELD_KEYS"),
        "blind_index_key": env("GRIDGOV_BLIND_INDEX_KEY"),
    }
    _missing = [name for name, value in _secret.items() if not value]
    if _missing:
        raise RuntimeError(
            "production profile: set GRIDGOV_SECRET_KEY, GRIDGOV_FIELD_KEYS and "
            "GRIDGOV_BLIND_INDEX_KEY in the environment (missing: " + ", ".join(_missing) + ")"
        )
else:
    _secret = load_dev_secrets(DATA_DIR)
    for _name, _var in (
        ("secret_key", "GRIDGOV_SECRET_KEY"),
        ("field_keys", "GRIDGOV_FIELD_KEYS"),
        ("blind_index_key", "GRIDGOV_BLIND_INDEX_KEY"),
    ):
        if env(_var):
            _secret[_name] = env(_var)

SECRET_KEY = _secret["secret_key"]
# "version:base64key" entries separated by commas; the first one encrypts, all of them decrypt.
GRIDGOV_FIELD_KEYS = _secret["field_keys"]
GRIDGOV_BLIND_INDEX_KEY = _secret["blind_index_key"]
# AES-256-GCM by default; "sm4-gcm" for deployments assessed under GB/T 39786 (商用密码应用安全性评估).
GRIDGOV_FIELD_CIPHER = env("GRIDGOV_FIELD_CIPHER", "aes-256-gcm")

DEBUG = env_bool("GRIDGOV_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = (env("GRIDGOV_ALLOWED_HOSTS", "" if PRODUCTION else "*") or "").split(",")
ALLOWED_HOSTS = [host.strip() for host in ALLOWED_HOSTS if host.strip()]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in (env("GRIDGOV_CSRF_TRUSTED_ORIGINS", "") or "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    # ninja's own static files (Swagger UI) for the API docs page: no CDN.
    "ninja",
    "gridgov.core",
    "gridgov.areas",
    "gridgov.registry",
    "gridgov.party",
    "gridgov.notifications",
    "gridgov.workcalendar",
    "gridgov.cases",
    "gridgov.open311",
    "gridgov.patrol",
    "gridgov.resident",
    "gridgov.sos",
    "gridgov.hotline",
    "gridgov.api",
    "gridgov.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gridgov.core.middleware.IdleSessionMiddleware",
    "gridgov.core.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gridgov.core.audit.AuditContextMiddleware",
    # Last, so that a lockout answer is rendered by our own view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gridgov.core.context_processors.console",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "gridgov.sqlite3"
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with writers queued on a file lock (gridgov/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "gridgov.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # that two writers queue on the busy timeout instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA wal_autocheckpoint=4000; "
            # Wide reads (the cockpit of a city sums tens of thousands of rollup rows) go
            # through a 64 MB page cache and memory-mapped pages instead of a read() per page.
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
        ),
    }
    # Tests use a file too, not Django's shared-cache memory database: the browser tests' live
    # server answers several requests at once, and shared-cache table locks fail at once
    # ("database table is locked") where a file in WAL mode waits on the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # Django's PostgreSQL backend with a health check that polls the socket before it asks the
    # server (gridgov/core/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "gridgov.core.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Values are bound on the server, and a statement run five times on a connection is prepared
    # there: PostgreSQL then stops parsing and planning it again, which was half of its CPU for a
    # report (docs/benchmarks.md, 2026-12-05). Django leaves both off for the sake of connection
    # poolers in transaction mode; GRIDGOV_DB_PREPARED=0 turns them off behind such a pooler
    # (PgBouncer before 1.21, or without max_prepared_statements).
    if env("GRIDGOV_DB_PREPARED", "1") != "0":
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
# Every request is one transaction: a crash mid-request leaves no partial write.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs --------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    INSTALLED_APPS.append("django_rq")  # its rqworker command is what `gridgov worker` runs
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Authentication and login safety ----------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "gridgov.core.auth.GridgovModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Two documented presets (docs/security.md): "dengbao3" (等保三级: complexity and periodic change)
# and "asvs" (OWASP ASVS: length, breached-password list, no forced rotation).
GRIDGOV_PASSWORD_POLICY = env("GRIDGOV_PASSWORD_POLICY", "dengbao3")
if GRIDGOV_PASSWORD_POLICY not in ("dengbao3", "asvs"):
    raise RuntimeError("GRIDGOV_PASSWORD_POLICY must be 'dengbao3' or 'asvs'")
if GRIDGOV_PASSWORD_POLICY == "dengbao3":  # noqa: S105 (a policy name, not a password) # nosec B105
    AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 8},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        {
            "NAME": "gridgov.core.passwords.CharacterClassValidator",
            "OPTIONS": {"min_classes": 3},
        },
    ]
    GRIDGOV_PASSWORD_MAX_AGE_DAYS = env_int("GRIDGOV_PASSWORD_MAX_AGE_DAYS", 90)
else:
    AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        },
        {"NAME": "gridgov.core.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    ]
    GRIDGOV_PASSWORD_MAX_AGE_DAYS = env_int("GRIDGOV_PASSWORD_MAX_AGE_DAYS", 0)

# Lockout after 5 failures per account and address, for 30 minutes.
AXES_FAILURE_LIMIT = env_int("GRIDGOV_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("GRIDGOV_LOCKOUT_MINUTES", 30) / 60  # in hours, as axes reads it
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gridgov.core.views.auth.lockout"
# django-ipware is not installed, so axes' AXES_IPWARE_* settings do nothing and axes would count
# every user behind nginx as the proxy's address. Our callable trusts exactly this many proxies.
GRIDGOV_PROXY_COUNT = env_int("GRIDGOV_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "gridgov.core.auth.client_ip_address"
AXES_ENABLE_ADMIN = True
# 等保 asks for an audit trail of sign-ins kept at least six months: every failure is logged (and
# survives an unlock), as are successful sign-ins and sign-outs (axes' access log, on by default).
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Idle sessions end after 30 minutes; a session never lives longer than 12 hours.
GRIDGOV_IDLE_TIMEOUT_MINUTES = env_int("GRIDGOV_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "gridgov.core.views.errors.csrf_failure"

# Roles that must enrol a TOTP device before they can work (comma-separated role names).
GRIDGOV_REQUIRE_2FA_ROLES = [
    role.strip() for role in (env("GRIDGOV_REQUIRE_2FA_ROLES", "") or "").split(",") if role.strip()
]
OTP_TOTP_ISSUER = env("GRIDGOV_OTP_ISSUER", "gridgov")  # the name the authenticator app shows
# The admin must never show a user's TOTP key or its QR code: whoever sees it can make codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("GRIDGOV_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("GRIDGOV_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("GRIDGOV_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Audit --------------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
GRIDGOV_AUDIT_RETENTION_DAYS = env_int("GRIDGOV_AUDIT_RETENTION_DAYS", 180)

# --- Languages and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "gridgov_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files: built from npm at setup, served by WhiteNoise, never from a CDN ----------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/files/"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
GRIDGOV_MAX_UPLOAD_BYTES = env_int("GRIDGOV_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# --- Logging: one JSON object a line in production, readable lines in development ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "gridgov.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"redact": {"()": "gridgov.core.logging.RedactPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("GRIDGOV_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Maps: no base-map tiles by default (an intranet); a tile server can be configured --------
# e.g. 天地图 "http://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY" (CGCS2000 ≈ WGS-84) or an internal
# 高德 mirror with GRIDGOV_MAP_TILE_CRS=gcj02 so that our WGS-84 polygons are shifted to match.
GRIDGOV_MAP_TILE_URL = env("GRIDGOV_MAP_TILE_URL", "")
GRIDGOV_MAP_TILE_ATTRIBUTION = env("GRIDGOV_MAP_TILE_ATTRIBUTION", "")
GRIDGOV_MAP_TILE_SUBDOMAINS = env("GRIDGOV_MAP_TILE_SUBDOMAINS", "")
GRIDGOV_MAP_TILE_CRS = env("GRIDGOV_MAP_TILE_CRS", "wgs84")
GRIDGOV_POLYGON_TOLERANCE = float(env("GRIDGOV_POLYGON_TOLERANCE", "0.01") or 0.01)
# Households a grid and a micro-grid usually hold; outside them an area is flagged, not refused.
GRIDGOV_GRID_HOUSEHOLDS = (
    env_int("GRIDGOV_GRID_MIN_HOUSEHOLDS", 300),
    env_int("GRIDGOV_GRID_MAX_HOUSEHOLDS", 500),
)
GRIDGOV_MICRO_GRID_HOUSEHOLDS = (
    env_int("GRIDGOV_MICRO_GRID_MIN_HOUSEHOLDS", 50),
    env_int("GRIDGOV_MICRO_GRID_MAX_HOUSEHOLDS", 80),
)

# --- Notifications (docs/notifications.md) ------------------------------------------------------
# Which backend carries each channel: "log" (the default: a structured log line), "webhook",
# "sms" (the gateway adapter), a dotted class path, or "" to switch the channel off.
GRIDGOV_NOTIFY_BACKENDS = {
    "sms": env("GRIDGOV_NOTIFY_SMS_BACKEND", "log"),
    "webhook": env(
        "GRIDGOV_NOTIFY_WEBHOOK_BACKEND", "webhook" if env("GRIDGOV_WEBHOOK_URL") else ""
    )
    or None,
}
GRIDGOV_WEBHOOK_URL = env("GRIDGOV_WEBHOOK_URL", "")
GRIDGOV_WEBHOOK_SECRET = env("GRIDGOV_WEBHOOK_SECRET", "")
GRIDGOV_SMS_GATEWAY = {
    "url": env("GRIDGOV_SMS_URL", ""),
    "account": env("GRIDGOV_SMS_ACCOUNT", ""),
    "key": env("GRIDGOV_SMS_KEY", ""),
    "templates": json.loads(
        env("GRIDGOV_SMS_TEMPLATES", "{}") or "{}"
    ),  # {"sign_in_code": "SMS_1"}
}
GRIDGOV_NOTIFY_MAX_ATTEMPTS = env_int("GRIDGOV_NOTIFY_MAX_ATTEMPTS", 5)
# What follows each step of a case (rollup counts, notifications) runs as a job after the commit
# (gridgov.cases.followups); "1" runs it inside the step's transaction (the test suite does).
GRIDGOV_FOLLOW_UPS_INLINE = env("GRIDGOV_FOLLOW_UPS_INLINE", "") == "1"

# --- Resident phone pages (/m/, docs/architecture.md) -------------------------------------------
# Sign-in codes: valid this many minutes, this many tries each; at most this many codes per phone
# and per address in an hour, and one per phone every this many seconds.
GRIDGOV_RESIDENT_CODE_MINUTES = env_int("GRIDGOV_RESIDENT_CODE_MINUTES", 5)
GRIDGOV_RESIDENT_CODE_ATTEMPTS = env_int("GRIDGOV_RESIDENT_CODE_ATTEMPTS", 5)
GRIDGOV_RESIDENT_CODES_PER_PHONE_HOUR = env_int("GRIDGOV_RESIDENT_CODES_PER_PHONE_HOUR", 5)
GRIDGOV_RESIDENT_CODES_PER_ADDRESS_HOUR = env_int("GRIDGOV_RESIDENT_CODES_PER_ADDRESS_HOUR", 20)
GRIDGOV_RESIDENT_CODE_INTERVAL_SECONDS = env_int("GRIDGOV_RESIDENT_CODE_INTERVAL_SECONDS", 60)
# A reporter may reopen a closed case within this many days; "is it fixed?" is asked this many
# days after closing; open cases of the same category this close are offered for "me too".
GRIDGOV_RESIDENT_REOPEN_DAYS = env_int("GRIDGOV_RESIDENT_REOPEN_DAYS", 7)
GRIDGOV_RESIDENT_FIXED_CHECK_DAYS = env_int("GRIDGOV_RESIDENT_FIXED_CHECK_DAYS", 3)
GRIDGOV_RESIDENT_NEARBY_METRES = env_int("GRIDGOV_RESIDENT_NEARBY_METRES", 250)

# --- Courtyard plates ---------------------------------------------------------------------------
# The address printed in the plates' QR codes (e.g. "https://gridgov.street.example.gov.cn");
# without it, the address the plate was printed from.
GRIDGOV_PUBLIC_BASE_URL = env("GRIDGOV_PUBLIC_BASE_URL", "")
GRIDGOV_CJK_FONT_PATH = env("GRIDGOV_CJK_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# --- One-button SOS (一键通) -------------------------------------------------------------------
# An SOS case not claimed within this many seconds escalates (grid → community → street), each
# level with the same time; the category its cases are filed under.
GRIDGOV_SOS_CLAIM_SECONDS = env_int("GRIDGOV_SOS_CLAIM_SECONDS", 300)
GRIDGOV_SOS_CATEGORY = env("GRIDGOV_SOS_CATEGORY", "1104")

# --- Demo -----------------------------------------------------------------------------------------
# The fixed demo password is refused by the production profile (see core.auth).
GRIDGOV_DEMO_PASSWORD = "Gridgov#2026"  # noqa: S105 (demo only, refused in production) # nosec B105

# --- Open311 GeoReport v2 ---------------------------------------------------------------------
# The one jurisdiction this installation answers for: a client's jurisdiction_id must match it
# (or be left out). The contact shown by discovery.json.
GRIDGOV_OPEN311_JURISDICTION = env("GRIDGOV_OPEN311_JURISDICTION", "gridgov") or "gridgov"
GRIDGOV_OPEN311_CONTACT = env("GRIDGOV_OPEN311_CONTACT", "") or ""
