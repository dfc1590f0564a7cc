"""Charts: drawn only from two points up, at print resolution, with their summary in words."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from PIL import Image

from lettermine.charts import MeasureSeries, measure_charts, month_ends, rag_chart

D = dt.date


def test_month_ends_of_a_period() -> None:
    assert month_ends(D(2021, 11, 15), D(2022, 2, 28)) == [
        D(2021, 11, 30), D(2021, 12, 31), D(2022, 1, 31), D(2022, 2, 28),
    ]  # fmt: skip
    assert month_ends(D(2024, 2, 1), D(2024, 2, 28)) == []  # leap year: the 29th is the end
    assert month_ends(D(2021, 1, 31), D(2021, 1, 31)) == [D(2021, 1, 31)]


def test_no_chart_from_fewer_than_two_points() -> None:
    one = MeasureSeries("Visits", "%", 60, 95, "up", [(D(2022, 1, 15), 70)])
    two = MeasureSeries("Visits", "%", 60, 95, "up", [(D(2022, 1, 15), 70), (D(2022, 4, 15), 96)])
    drawn = measure_charts([one, two, one])
    assert drawn[0] is None and drawn[2] is None and drawn[1] is not None
    assert drawn[1].summary == (
        "Visits: 70% on 15 January 2022, 96% on 15 April 2022 (2 values); baseline 60%, "
        "target 95% (higher is better): met."
    )
    assert rag_chart([(D(2022, 1, 31), {"red": 1, "amber": 2, "green": 3})]) is None


def test_charts_are_png_at_300_dpi() -> None:
    points = [(D(2022, 1, 31), {"red": 1, "amber": 2, "green": 3}),
              (D(2022, 2, 28), {"red": 0, "amber": 2, "green": 4})]  # fmt: skip
    chart = rag_chart(points)
    assert chart is not None
    assert chart.summary == (
        "Actions by RAG at each month end from Jan 2022 to Feb 2022 (2 month ends): "
        "red 1 → 0, amber 2 → 2, green 3 → 4."
    )
    image = Image.open(BytesIO(chart.png))
    assert image.format == "PNG" and round(image.info["dpi"][0]) == 300
    # The printed width at 300 dpi is the width the document gives it.
    assert abs(image.width / 300 * 2.54 - chart.width_cm) < 0.05
