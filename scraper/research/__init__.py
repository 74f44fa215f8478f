"""Research tools around the archive.

``export`` (JSON Lines, CSV, Parquet), ``warc`` (import other crawls), ``reextract``
(re-run the extractor over stored raw pages), ``evaluate`` (accuracy beside trafilatura
and htmldate), ``report`` (text views), ``demo_site`` (the fixture site on 127.0.0.1).
"""
