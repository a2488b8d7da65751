"""``python -m eco12geo`` runs the command line."""

from eco12geo.cli.main import main

main()
