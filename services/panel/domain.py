"""Panel's rules and state machines, in plain Python."""
