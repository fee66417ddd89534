"""Where the platform's secrets come from.

In production every secret comes from the environment and a missing one is a hard error.
In development they are generated once into the data directory (mode 0600) so that a fresh
clone runs with no manual step and nothing secret is ever committed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

SECRETS_FILE = "secrets.json"


def _generate() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        # Field encryption keys are versioned so that they can be rotated: "version:base64key".
        "field_keys": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "blind_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def load_dev_secrets(data_dir: Path) -> dict[str, str]:
    """Read the development secrets, creating them (mode 0600) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRETS_FILE
    if not path.exists():
        values = _generate()
        # O_EXCL: two processes starting at once must not overwrite each other's keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(values, handle, indent=2)
    os.chmod(path, 0o600)
    with path.open() as handle:
        return json.load(handle)
