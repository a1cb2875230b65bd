"""``briefing serve``: the edition in a browser, rebuilt and reloaded on every change.

Takes a workspace's config (``--config``), a reader profile to show first (``--reader``) and an
address (``--host``, ``--port``). Gives, on 127.0.0.1 by default, the web page of the edition
(the same page ``briefing build`` writes, with a bar to switch readers and open the PDF or the
email, a link from each section heading to its explain view and from each cited block to its
place in its source) and keeps it current: a file watcher (watchfiles) rebuilds the editions on
view when the config, a template or an article changes, through the warm store, and the open
page reloads itself. A config or template with an error shows its located messages instead of
the edition; the last good one comes back when it is fixed.

Must not touch: anything outside what it serves. It builds editions only through
``pipeline.make_edition`` and explains them only through ``explain.explained`` (so the page
says what ``build`` and ``explain`` say), never writes the edition's files into ``out/`` nor
archives it (only the reading texts every edition writes, ``out/texts/``), never fetches nor
sends, and answers only for the workspace's outputs (``out/``) and the corpus files the editions
on view cite: every other path, however it is spelt, is a 404. Nothing it serves to the
browser (the reload script, the bar, the links) goes into a built file.

Modules: ``editions`` (one edition made for serving, and a failure as located lines),
``builder`` (the generations of editions, rebuilt and waited on), ``watch`` (the file
watcher), ``files`` (which files may be served), ``inject`` (the served page's additions),
``pages`` (the serve-only pages), ``handler`` (the HTTP routes), ``server`` (starting and
stopping it all).
"""

from __future__ import annotations

from briefing.serve.server import ServeOptions, Server, serve, start

__all__ = ["ServeOptions", "Server", "serve", "start"]
