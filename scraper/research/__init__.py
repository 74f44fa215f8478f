"""Research tools around the archive.

``export`` (JSON Lines, CSV, Parquet), ``warc`` (import other crawls), ``reextract``
(re-run the extractor over stored raw pages), ``evaluate`` (accuracy beside trafilatura
and htmldate), ``report`` (text views), ``demo_site`` (the fixture site on 127.0.0.1),
``coverage`` + ``charts`` + ``report_html`` (the HTML coverage report), ``browse`` + ``browse_plugin``
(datasette on the archive).
"""
