"""The platform's one seniority rule (shared.contracts.disclosure): senior officials are D-1 and
above; voluntary public disclosure is for ASG and above who have filed."""
from shared.contracts.disclosure import (FILED_STATUSES, GRADES, FilingStatus, grade_rank,
                                         is_asg_or_above, is_senior_official,
                                         public_disclosure_eligible)


def test_grades_rank_from_the_lowest():
    assert grade_rank("G-1") == 0 and grade_rank("SG") == len(GRADES) - 1
    assert grade_rank("P-5") < grade_rank("D-1") < grade_rank("ASG")


def test_senior_officials_and_the_officials_who_may_disclose_publicly():
    assert [g for g in GRADES if is_senior_official(g)] == ["D-1", "D-2", "ASG", "USG", "DSG",
                                                             "SG"]
    assert [g for g in GRADES if is_asg_or_above(g)] == ["ASG", "USG", "DSG", "SG"]
    for unknown in (None, "", "asg", "D-3"):
        assert not is_senior_official(unknown) and not is_asg_or_above(unknown)


def test_public_disclosure_needs_the_grade_and_a_filed_statement():
    for status in FilingStatus:
        assert public_disclosure_eligible("USG", status.value) == (status in FILED_STATUSES)
        assert not public_disclosure_eligible("D-2", status.value)
