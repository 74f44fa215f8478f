"""The commands of ``cli.py``, grouped by what they do; ``cli.py`` puts them on its click group.

Nothing here imports ``cli`` (run as ``__main__`` it would be imported a second
time, with a second group), and the ``scraper`` library imports nothing here.
"""
