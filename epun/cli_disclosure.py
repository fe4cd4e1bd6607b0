"""`epun` subcommands of the disclosure area."""


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
