"""Authenticated encryption of personal identifiers, and keyed blind indexes for exact lookup.

- Ciphertext format: ``g1:<key version>:<cipher>:<base64url(nonce || ciphertext || tag)>``.
- The associated data binds a value to its table, column and row: a ciphertext copied into another
  row (or column) fails to decrypt instead of silently showing someone else's number.
- Keys are versioned (``GRIDGOV_FIELD_KEYS = "2:<b64>,1:<b64>"``): the first encrypts, all decrypt,
  ``gridgov rotate_keys`` re-encrypts old rows under the first (docs in that command).
- The cipher is AES-256-GCM, or SM4-GCM (GB/T 32907 block cipher in GCM mode) when
  ``GRIDGOV_FIELD_CIPHER=sm4-gcm``. Every token names its cipher, so a deployment can switch and
  still read old values; ``rotate_keys`` rewrites them under the current cipher.
- The key version and cipher in the header are not part of the associated data, and need not be:
  they only choose the key and the algorithm, and any change of them fails the tag check.
- The blind index is HMAC-SHA256 under its own key. Never a plain or salted hash: an 18-digit ID
  number has about 10^11 possible values and an unkeyed hash of it is brute-forced in minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "g1"
NONCE_BYTES = 12
TAG_BYTES = 16
CIPHERS = ("aes-256-gcm", "sm4-gcm")


class DecryptionError(Exception):
    """The value was tampered with, moved to another row, or its key is gone."""


@dataclass(frozen=True)
class Keyring:
    current_version: str
    keys: dict[str, bytes]
    blind_index_key: bytes
    cipher: str


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{what} is not valid base64") from error
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes (base64 of 32 random bytes)")
    return key


def parse_keyring(field_keys: str, blind_index_key: str, cipher: str) -> Keyring:
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"GRIDGOV_FIELD_CIPHER must be one of {CIPHERS}")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in field_keys.split(","):
        version, _, key = entry.strip().partition(":")
        if not version or not key or not version.isalnum():
            raise ImproperlyConfigured("GRIDGOV_FIELD_KEYS entries look like '2:<base64 key>'")
        if version in keys:
            raise ImproperlyConfigured(f"GRIDGOV_FIELD_KEYS names version {version} twice")
        keys[version] = _decode_key(key, f"field key {version}")
        order.append(version)
    if not order:
        raise ImproperlyConfigured("GRIDGOV_FIELD_KEYS is empty")
    return Keyring(
        current_version=order[0],
        keys=keys,
        blind_index_key=_decode_key(blind_index_key, "GRIDGOV_BLIND_INDEX_KEY"),
        cipher=cipher,
    )


@lru_cache(maxsize=4)
def _keyring_for(field_keys: str, blind_index_key: str, cipher: str) -> Keyring:
    return parse_keyring(field_keys, blind_index_key, cipher)


_current: Keyring | None = None
_KEY_SETTINGS = ("GRIDGOV_FIELD_KEYS", "GRIDGOV_BLIND_INDEX_KEY", "GRIDGOV_FIELD_CIPHER")


def keyring() -> Keyring:
    # Reading three settings through LazySettings on every value costs more than the AES itself
    # in a bulk import, so the keyring is kept until a test overrides one of them (below).
    global _current
    if _current is None:
        _current = _keyring_for(
            settings.GRIDGOV_FIELD_KEYS,
            settings.GRIDGOV_BLIND_INDEX_KEY,
            getattr(settings, "GRIDGOV_FIELD_CIPHER", "aes-256-gcm"),
        )
    return _current


def _forget_keyring(*, setting: str, **kwargs: object) -> None:
    global _current
    if setting in _KEY_SETTINGS:
        _current = None


setting_changed.connect(_forget_keyring)


@lru_cache(maxsize=32)
def _sm4_key(master: bytes) -> bytes:
    # SM4 takes a 128-bit key; derive it from the 256-bit master key rather than truncating.
    return HKDF(
        algorithm=hashes.SHA256(), length=16, salt=None, info=b"gridgov sm4 field key"
    ).derive(master)


def _seal(cipher: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if cipher == "aes-256-gcm":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return body + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == "aes-256-gcm":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str, aad: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(
        ring.cipher,
        ring.keys[ring.current_version],
        nonce,
        plaintext.encode(),
        aad.encode(),
    )
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}:{ring.current_version}:{ring.cipher}:{body}"


def ciphertext_header(token: str) -> tuple[str, str] | None:
    """``(key version, cipher)`` of a token, or None when it is not a gridgov ciphertext."""
    parts = token.split(":", 3)
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    return parts[1], parts[2]


def ciphertext_version(token: str) -> str | None:
    header = ciphertext_header(token)
    return header[0] if header else None


def needs_rotation(token: str, ring: Keyring | None = None) -> bool:
    """True when ``token`` was not written under the current key version and cipher."""
    ring = ring or keyring()
    return ciphertext_header(token) != (ring.current_version, ring.cipher)


def decrypt(token: str, aad: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    parts = token.split(":", 3)
    if len(parts) != 4 or parts[0] != PREFIX:
        raise DecryptionError("not a gridgov ciphertext")
    _, version, cipher, body = parts
    key = ring.keys.get(version)
    if key is None:
        raise DecryptionError(f"no key with version {version}")
    if cipher not in CIPHERS:
        raise DecryptionError(f"unknown cipher {cipher}")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise ValueError("too short")
        plain = _open(cipher, key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode())
        return plain.decode()
    except (InvalidTag, ValueError) as error:
        # ValueError covers bad base64, a truncated body and bytes that are not UTF-8.
        raise DecryptionError("value does not belong here or was altered") from error


def blind_index(value: str, purpose: str, ring: Keyring | None = None) -> str:
    """Keyed HMAC of a normalised value; ``purpose`` keeps indexes of different kinds apart."""
    ring = ring or keyring()
    return _blind_index(ring.blind_index_key, purpose, value)


@lru_cache(maxsize=8192)
def _blind_index(key: bytes, purpose: str, value: str) -> str:
    # Cached: an import computes each row's index to find duplicates and again when it writes.
    digest = hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()
