"""Disclosure's rules and state machines, in plain Python."""
