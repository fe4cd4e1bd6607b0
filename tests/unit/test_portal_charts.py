"""The geometry of the portal's server-drawn line chart."""
from services.gateway.portal.charts import line_chart, nice_ceiling


def test_a_round_top_above_the_largest_value():
    assert [nice_ceiling(v) for v in (0, 0.7, 1, 3, 24, 251, 4000)] == [
        1.0, 1.0, 1, 5, 25, 500, 5000]


def test_years_spread_in_order_and_values_rise_from_the_bottom():
    chart = line_chart([(2015, 50.0), (2013, 100.0), (2014, None), (2016, 25.0)],
                       width=240, height=140, margin=20)
    assert [(p.label, p.x, p.y) for p in chart.points] == [
        ("2013", 20, 20), ("2015", 120, 70), ("2016", 220, 95)]
    assert chart.polyline == "20,20 120,70 220,95"
    assert chart.baseline == 120
    assert chart.y_ticks == [(120, 0), (70, 50), (20, 100)]


def test_one_point_stands_in_the_middle_and_no_figures_draw_no_line():
    [point] = line_chart([(2015, 10.0)], width=200, height=100, margin=0).points
    assert (point.x, point.y) == (100, 0)
    empty = line_chart([])
    assert empty.points == [] and empty.polyline == ""
