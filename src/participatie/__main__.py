"""``python -m participatie``: the organiser's command line, as the ``participatie`` command."""

from participatie.cli.main import main

if __name__ == "__main__":  # pragma: no branch
    main()
