"""deliver: reader editions -> email messages -> ``.eml`` files or an SMTP server, once each.

Takes the config's readers and delivery settings and an edition per reader (built by
``pipeline.make_edition``); gives messages written or sent, each recorded in the send ledger
before the next, so no reader is missed or mailed twice.

    delivery.py   messages, the SMTP transport (retries, deferrals), the send loop
    headers.py    the rules for text that becomes a header, shared with the config check

Add a delivery channel: a transport beside the SMTP one in ``delivery.py`` with the same
ledger discipline. Must not touch: the corpus, the judging; the ledger only through its
interface (``store.ledger``).
"""
