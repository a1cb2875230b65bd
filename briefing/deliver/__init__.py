"""deliver: reader editions -> email messages -> ``.eml`` files or an SMTP server, once each.

Takes the config's readers and delivery settings and an edition per reader (built by
``pipeline.make_edition``); gives messages written or sent, each recorded in the send ledger
before the next, so no reader is missed or mailed twice.

    send.py       the send loop: claim readers in the ledger, send, record (send_editions)
    editions.py   the readers' editions, one build shared by readers with the same themes
    message.py    one reader's message: personalised HTML and text, headers, MIME
    smtp.py       the SMTP transport: connection, retries, deferrals, settings from the env
    eml.py        the .eml writer of a dry run
    headers.py    the rules for text that becomes a header, shared with the config check

Add a delivery channel: a transport beside the SMTP one in ``smtp.py`` (and the choice of it
in ``send.py``) with the same ledger discipline. Must not touch: the corpus, the judging; the
ledger only through its interface (``store.ledger``).

The names ``briefing.delivery`` had are importable from here (``from briefing.deliver import
send_editions``); their homes are the modules above.
"""

from __future__ import annotations

import importlib
from typing import Any

# No import of the modules below here, not even for type checkers: ``store.cachekeys`` reads
# import statements to know what a result depends on, and the config check imports
# ``deliver.headers`` (so this file): every cache would depend on the whole send path.

#: each public name and the module it lives in
_HOMES = {"Edition": "message", "build_message": "message", "message_id": "message",
          "personalise_html": "message", "personalise_text": "message", "subject": "message",
          "SendReport": "send", "send_editions": "send", "SmtpSettings": "smtp",
          "smtp_settings": "smtp"}

__all__ = ["Edition", "SendReport", "SmtpSettings", "build_message", "message_id",
           "personalise_html", "personalise_text", "send_editions", "smtp_settings", "subject"]


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): ``briefing.deliver.headers``, which the config check
    # uses, stays cheap to import.
    if name not in _HOMES:
        raise AttributeError(f"module 'briefing.deliver' has no attribute {name!r}")
    return getattr(importlib.import_module(f"briefing.deliver.{_HOMES[name]}"), name)
