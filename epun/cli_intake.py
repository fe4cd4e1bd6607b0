"""`epun` subcommands of the intake area."""


def register(sub):
    """Add this area's subcommands to the `epun` parser."""
