"""news-archiver: fetch, extract and archive KazPost-style news pages.

A thin command line over the ``scraper`` library: each command parses its
options, calls the library and prints. Exit codes:

\b
  0   everything went well (dead links and a few failed fetches are not failures)
  1   a URL you named failed, a host could not be reached, more than
      --max-failure-share of the fetches failed, or the command failed
      (each reason on stderr, one line each)
  2   usage error (bad option, missing file, malformed URL)
  75  the archive is locked by another run (EX_TEMPFAIL: cron retries later)
  130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM
"""

from __future__ import annotations

import signal

import click

import scraper
from cli_commands import crawling, importing, reading
from cli_commands.common import Commands


@click.group(cls=Commands, help=__doc__, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scraper.__version__, prog_name="news-archiver")
def main() -> None:
    """The command group."""


for _command in (*crawling.COMMANDS, *reading.COMMANDS, *importing.COMMANDS):
    main.add_command(_command)


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    main()
