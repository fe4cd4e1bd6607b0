"""Reporting's read models in memory: the fake the projection and use-case tests run on. They
keep the same promises as `store.py` (the repository suite runs against both), and change the
documents with the same arithmetic (`domain.resolve`)."""
import copy

from shared.kernel.uow import InMemoryUnitOfWork

from .domain import KEYS, Generations, added, consumer_of, identity, resolve, revised
from .view import View

ISSUES = "issued_reports"


def collection(model: str, generation: int) -> str:
    return f"{model}@{generation}"


class MemoryView(View):
    def __init__(self, uow: InMemoryUnitOfWork, generation: int):
        self.uow, self.generation = uow, generation

    def _docs(self, model: str, **equal) -> list[dict]:
        return [d for d in self.uow.records(collection(model, self.generation))
                if all(d.get(name) == value for name, value in equal.items())]


class ReadModels:
    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def view(self, generation: int) -> View:
        return MemoryView(self.uow, generation)

    def held(self, generation: int, event_ids: list[str]) -> set[str]:
        consumer = consumer_of(generation)
        return {i for i in event_ids if (consumer, i) in self.uow.state.processed}

    def apply(self, generation: int, changes: list):
        """Stage the documents `changes` make, each expecting its record as read here."""
        def read(ident):
            return self.uow.read(collection(ident[0], generation), ident[1:])
        current = {ident: read(ident) for ident in revised(changes)}
        resolved = resolve(changes, current)
        docs = dict(resolved.records)
        for add in resolved.adds:
            ident = identity(add.model, add.key)
            if ident not in docs:
                current[ident] = read(ident)
                docs[ident] = current[ident] or dict(add.key)
            docs[ident] = added(copy.deepcopy(docs[ident]), add.amounts)
        for ident, doc in docs.items():
            self.uow.stage(collection(ident[0], generation), ident[1:], doc,
                           expect=lambda now, before=current.get(ident): now == before)

    def prepare(self, generation: int):
        """Nothing to prepare: a collection in memory needs no index."""

    def drop(self, generation: int):
        for model in KEYS:
            self.uow.state.collections.pop(collection(model, generation), None)
        consumer = consumer_of(generation)
        self.uow.state.processed = {t for t in self.uow.state.processed if t[0] != consumer}


class GenerationsRepository:
    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def get(self) -> Generations:
        return self.uow.read("generations", "state") or Generations()

    def save(self, before: Generations, after: Generations):
        self.uow.stage("generations", "state", after,
                       expect=lambda now: (now or Generations()) == before)


class IssuesRepository:
    def __init__(self, uow: InMemoryUnitOfWork):
        self.uow = uow

    def versions(self, report, key: str) -> list:
        return sorted((i for i in self.uow.records(ISSUES)
                       if (i.report, i.key) == (report, key)), key=lambda i: i.version)

    def latest(self, report, key: str):
        found = self.versions(report, key)
        return found[-1] if found else None

    def get(self, report, key: str, version: int):
        return self.uow.read(ISSUES, (report, key, version))

    def add(self, issued):
        self.uow.seen(issued)
        self.uow.stage(ISSUES, (issued.report, issued.key, issued.version), issued,
                       expect=lambda now: now is None)


class ReportingMemory(InMemoryUnitOfWork):
    """`ReportingMemory(state, actor, clock)`: a unit of work over in-memory read models."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.models, self.generations = ReadModels(self), GenerationsRepository(self)
        self.issues = IssuesRepository(self)
