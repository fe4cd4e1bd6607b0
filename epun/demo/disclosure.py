"""Demo data of the disclosure area, loaded through the public API."""


def load(client, say=print):
    say("disclosure: no demo data yet")
