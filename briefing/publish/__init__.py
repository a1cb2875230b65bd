"""publish: the chosen items -> the edition's files: PDF, web page, email HTML and text, JSON.

Takes what ``judge`` chose; gives a :class:`~briefing.models.Briefing` (every block cited,
labelled, sources numbered) and its renderings, each written atomically, and the archive of
editions with its index and feed.

    assemble.py      chosen items -> the Briefing
    render.py        the Briefing -> HTML (web, print, email) through Jinja2; names every renderer
    text_edition.py  the Briefing -> the plain-text edition (also the email's text part)
    json_edition.py  the Briefing -> briefing.json
    labels.py        what every edition shows to find one's way: labels, places, reading time,
                     the masthead's lines; the guard on the links an edition prints
    filters.py       the small text filters editions share (longdate, quote_display, capfirst...)
    chart.py         the timeline as an SVG picture
    pdf.py           print HTML -> PDF (the only module that imports WeasyPrint)
    texts.py         the reading texts of non-plain-text sources, written beside the edition
    output.py        atomic writes
    archive.py       out/editions/ and what is new since the previous edition
    archive_index.py the archive's index.html and feed.atom
    verify.py        ``briefing verify``: every citation re-read at its offsets
    schema/          the JSON Schema of briefing.json

Add an output format: a renderer in ``render.py`` (or a module beside it) and a name in
``output.FORMATS``. Must not touch: the store, the corpus (but to re-read a cited source in
``verify``), the network, mail.
"""
