"""The filer's draft statement: started from the latest earlier statement, saved and discarded
by its filer alone; not a filing (no event, no count changes), removed when the statement is
filed."""
from shared.contracts.disclosure import StatementContents
from shared.kernel.errors import Conflict, NotFound
from shared.kernel.uow import retrying

from .. import domain
from ..domain import Draft
from .commands import ForFiler
from .steps import changeable_cycle, filer_record, visible_filer


def _draftable(uow, command: ForFiler, open_cycle: bool = False):
    """The filer of the command, which is the actor and has not filed yet."""
    domain.check_own_draft(uow.actor, command.staff_id)
    if open_cycle:
        changeable_cycle(uow, command.year)
    filer = visible_filer(uow, command.year, command.staff_id)
    if filer.status != domain.S.invited.value:
        raise Conflict(f"{filer.staff_id} is {filer.status} in the {filer.year} cycle; a "
                       "draft is for a statement not filed yet")
    return filer


def _earlier_statements(uow, filer) -> list:
    years = [c.year for c in uow.cycles.all() if c.year < filer.year]
    return uow.statements.of_filer(filer.staff_id, years)


def get_draft(uow, command: ForFiler) -> dict:
    """The saved draft, or (`saved_on` none) where the statement starts: the items of the
    filer's latest statement of an earlier cycle, each marked from last year."""
    filer = _draftable(uow, command)
    saved = uow.drafts.get(command.year, command.staff_id)
    if saved is not None:
        return saved.view()
    return domain.starting_draft(command.year, filer.staff_id, filer.entity,
                                 _earlier_statements(uow, filer)).view()


@retrying
def save_draft(uow, command: ForFiler) -> dict:
    contents: StatementContents = command.request
    with uow:
        filer = _draftable(uow, command, open_cycle=True)
        earlier = uow.drafts.get(command.year, command.staff_id)
        prefilled = earlier.prefilled_from if earlier else domain.starting_draft(
            command.year, filer.staff_id, filer.entity,
            _earlier_statements(uow, filer)).prefilled_from
        draft = Draft(command.year, filer.staff_id, filer.entity, uow.clock.today(),
                      contents.model_dump(mode="json"), prefilled)
        uow.drafts.save(draft)
        uow.audit("save_draft", f"{filer_record(filer)}/draft", filer.entity)
        uow.commit()
    return draft.view()


@retrying
def discard_draft(uow, command: ForFiler) -> dict:
    """The saved draft removed: the statement starts again as a new one would."""
    with uow:
        filer = _draftable(uow, command)
        if uow.drafts.get(command.year, command.staff_id) is None:
            raise NotFound(f"{command.staff_id} has no draft in the {command.year} cycle")
        uow.drafts.remove(command.year, command.staff_id)
        uow.audit("discard_draft", f"{filer_record(filer)}/draft", filer.entity)
        uow.commit()
    return domain.starting_draft(command.year, filer.staff_id, filer.entity,
                                 _earlier_statements(uow, filer)).view()


