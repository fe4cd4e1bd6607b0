"""`epun` subcommands of the reports area."""


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
