"""The one exception type that the CLI turns into a one-line message and exit status 2."""

from __future__ import annotations

from pathlib import Path


class LabError(Exception):
    """Bad input from the user: the message names the problem and the fix."""


def make_folder(path: Path, setting: str) -> Path:
    """mkdir -p, or a LabError that names the folder and the setting that chose it (before any work is done)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LabError(f"cannot create the folder {path} ({error.strerror}); set {setting} to a writable "
                       f"folder") from None
    return path
