"""An example body for each of the API's main writes, as the OpenAPI document shows them (and
schemathesis sends them first); tests/unit/test_openapi.py checks each against its model."""
from shared.contracts import disclosure, intake, panel

WRITE_EXAMPLES: dict[type, dict] = {
    intake.ServiceRequestIn: {"entity": "UNDP", "received_on": "2015-03-12",
                              "category": "advice", "advice_topic": "outside_activities",
                              "source": "headquarters"},
    intake.ActivityIn: {"entity": "UNDP", "held_on": "2015-04-20", "kind": "training_session",
                        "participants": 35},
    intake.InquiryIn: {"entity": "UNDP", "received_on": "2015-05-04"},
    intake.AnnualFigures: {"total_requests": 980,
                           "requests_by_category": {"advice": 420, "financial_disclosure": 300,
                                                    "retaliation": 60, "training": 200}},
    disclosure.FilerIn: {"staff_id": "S12345", "entity": "UNDP", "duty_station": "New York",
                         "grade": "D-1", "designation": "senior_official",
                         "email": "filer@undp.example", "language": "en"},
    disclosure.StatementIn: {"assets": [{"description": "Index fund", "value_usd": 12000}],
                             "liabilities": [], "outside_interests": [
                                 {"description": "Board of a school", "role": "member"}],
                             "relatives_in_un": []},
    panel.PositionIn: {"entity": "UNICEF",
                       "position": "We agree with the proposed interpretation."},
}
