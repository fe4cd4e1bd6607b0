"""`epun` subcommands of the panel area."""


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
