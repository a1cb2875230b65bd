"""The ``.eml`` writer: a dry run's messages, each written beside the reader's edition instead
of being sent (``out/readers/<id>/briefing.eml``), never touching the ledger."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from briefing.publish.output import write_atomically

__all__ = ["EML_NAME", "write_eml"]

EML_NAME = "briefing.eml"


def write_eml(folder: Path, msg: EmailMessage) -> list[Path]:
    """Write ``msg`` as ``folder/briefing.eml``, atomically, as it would go on the wire."""
    return write_atomically(folder, {EML_NAME: msg.as_bytes()})
