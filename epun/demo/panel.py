"""Demo data of the panel area, loaded through the public API."""


def load(client, say=print):
    say("panel: no demo data yet")
