"""Demo data of the intake area, loaded through the public API."""


def load(client, say=print):
    say("intake: no demo data yet")
