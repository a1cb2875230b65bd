"""read: files on disk -> the articles a build considers, each decoded exactly and segmented.

Takes the config's corpus paths (folders, files, a sources manifest); gives
:class:`~briefing.models.Article` records (text, metadata) and their paragraphs and sentences as
exact spans, kept in the store so a warm build reads only what changed.

    ingest.py     files -> the store -> the Corpus: read only what is new or changed
    refs.py       ArticleRef: an article as the store knows it, and a reading's warnings
    warm.py       the warm path: the last full reading, and what changed since
    sync.py       the store brought up to date with the files found
    worker.py     one file's work (read, segment, tokenise), on every core when many
    cluster.py    the same work on a Dask cluster (``build --scheduler``)
    scheduler.py  which scheduler addresses a build connects to (tcp://HOST:PORT)
    files.py      find the article files under the corpus paths, with their stat
    listing.py    the corpus folders walked in the background (the warm path's ``find``)
    corpus.py     one article file -> Article: its text and metadata
    decode.py     an article's bytes -> its exact text and codec
    frontmatter.py  YAML front matter, read within limits
    formats.py    which reader a file type has; ``webpage``, ``eml``, ``pdftext`` are those
                  readers, ``documents`` what they share (Extracted, reading_text)
    segment.py    paragraphs and the rules between lines (headline, embeds, footnotes)
    furniture.py  one line's rules: page furniture, bylines, datelines
    sentences.py  sentences, none longer than SENTENCE_MAX
    reading.py    ``briefing read``: what briefing sees in each article
    links.py      which addresses may become links (http and https only)

Add an article format: a reader module beside ``webpage.py``, named in ``formats.py``.
Must not touch: the web (``fetch`` alone fetches; ``cluster`` reaches only the Dask scheduler a
build is given), themes and readers, the outputs.
"""
