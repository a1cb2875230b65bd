"""read: files on disk -> the articles a build considers, each decoded exactly and segmented.

Takes the config's corpus paths (folders, files, a sources manifest); gives
:class:`~briefing.models.Article` records (text, metadata) and their paragraphs and sentences as
exact spans, kept in the store so a warm build reads only what changed.

    corpus.py     find article files, decode them exactly, gather their metadata
    listing.py    the corpus folders walked in the background (the warm path's ``find``)
    ingest.py     files -> the store -> the Corpus: read only what is new or changed
    formats.py    one reader per file type that is not plain text; ``webpage``, ``eml``,
                  ``pdftext`` are those readers
    segment.py    paragraphs, sentences and page furniture
    reading.py    ``briefing read``: what briefing sees in each article
    links.py      which addresses may become links (http and https only)

Add an article format: a reader in ``formats.py`` (its own module if it is large).
Must not touch: the network (``fetch`` alone does), themes and readers, the outputs.
"""
