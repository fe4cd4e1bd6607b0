"""Demo data, loaded through the public API. Each step is a module with `load(client, say)`;
loading twice changes nothing."""
import importlib

STEPS = ["directory", "people", "intake", "disclosure", "baseline", "panel"]


def load_all(client, say=print):
    for step in STEPS:
        importlib.import_module(f"epun.demo.{step}").load(client, say)
