"""The slow-command log names a command's target and the shape of its filter, never values."""
from shared.mongo import command_shape


def test_a_find_shows_its_collection_and_operators_without_values():
    shape = command_shape({"find": "filers", "filter": {"_id": {"$in": ["2015:S1", "2015:S2"]}},
                           "lsid": {"id": "x"}})
    assert shape == "filers {_id: {$in: [str x2]}}"
    assert "S1" not in shape


def test_an_update_shows_its_first_filter_and_how_many_it_carries():
    command = {"update": "counters", "updates": [{"q": {"_id": "2015|EO", "v": 3}, "u": {}}] * 3}
    assert command_shape(command) == "counters {_id: str, v: int} x3"
