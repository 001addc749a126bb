"""Forecasts: a seasonal series is caught, noise is not dressed up as a pattern."""
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from warehouse_app.insight import forecast


def seasonal(seed: int) -> list[float]:
    """Three years of weekly demand: a yearly wave of +-25 around 60, noise of 5."""
    rng, t = np.random.default_rng(seed), np.arange(156)
    return list(np.maximum(0, 60 + 25 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 5, 156)))


def noise(seed: int) -> list[float]:
    """Three years of a flat level of 60 with noise of 10."""
    rng = np.random.default_rng(seed)
    return list(np.maximum(0, 60 + rng.normal(0, 10, 156)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_seasonal_series_gets_holt_winters_far_ahead_of_naive_and_flat(seed):
    result = forecast.predict(seasonal(seed), season=52, horizon=8)
    assert result.model == "holt-winters" and result.baseline == "seasonal-naive"
    assert result.mase < 0.5 * result.candidates["naive"]
    assert result.mase < 0.5 * result.candidates["ses"]
    assert result.verdict.startswith("Seasonal pattern")
    assert len(result.forecast) == 8 and max(result.forecast) - min(result.forecast) > 10


def test_holt_winters_usually_beats_the_seasonal_naive_baseline_too():
    # With two and a half years of history it averages out some of the noise that the same
    # week last year carries; not on every series, so this is counted over twenty of them.
    ratios = []
    for seed in range(20):
        result = forecast.predict(seasonal(seed), season=52)
        assert result.model == "holt-winters"
        ratios.append(result.mase / result.baseline_mase)
    assert sum(r < 1 for r in ratios) >= 14 and float(np.median(ratios)) < 0.95


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_gets_a_simple_model_that_says_it_found_no_pattern(seed):
    result = forecast.predict(noise(seed), season=52, horizon=8)
    assert result.model in ("ses", "naive")
    assert result.verdict.startswith("No seasonal pattern found")
    assert result.mase > 0.4  # no better than a rough average can be on noise
    assert max(result.forecast) - min(result.forecast) < 1  # a flat line, not a wave


def test_short_history_keeps_to_simple_models_and_says_why():
    result = forecast.predict([5, 7, 6, 8, 5, 6, 7, 6, 5, 9, 6, 7], season=52, horizon=4)
    assert result.model in ("ses", "naive") and "holt-winters" not in result.candidates
    assert "Not enough history for a seasonal model" in result.verdict
    assert forecast.predict([], horizon=3).forecast == [0.0, 0.0, 0.0]


def test_the_holdout_keeps_two_full_seasons_for_training():
    assert forecast.holdout_for(156, 26, 52) == 26
    assert forecast.holdout_for(120, 26, 52) == 16
    assert forecast.holdout_for(30, 26, 4) == 10


# The history below ends on Sunday 2026-12-06; the week it is read in begins Monday 2026-12-07.
READ_WEEK = date(2026, 12, 7)
# Every day of that week, at its first and last second and at noon (UTC).
READ_MOMENTS = [datetime.combine(READ_WEEK + timedelta(days=d), t, UTC)
                for d in range(7) for t in (time(0, 0, 1), time(12), time(23, 59, 59))]


def _four_week_cycle(move, p, a):
    """24 whole weeks of a 4-week cycle (10, 20, 30, 20 units a week) before READ_WEEK, picked
    on changing weekdays and hours, and a pick in the running week that no forecast may count."""
    move("receive", p, 5000, at(READ_WEEK - timedelta(days=200)), to_location=a,
         unit_cost="1.00")
    for week in range(1, 25):
        monday = READ_WEEK - timedelta(weeks=week)
        when = datetime.combine(monday + timedelta(days=week % 7), time(week % 24), UTC)
        move("pick", p, (10, 20, 30, 20)[week % 4], when, from_location=a)
    move("pick", p, 99, at(READ_WEEK, hour=0), from_location=a)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def test_the_forecast_report_reads_weekly_demand_from_the_ledger(db, shop, move, client,
                                                                 headers, time_machine):
    p, a = shop["product"], shop["A"]
    time_machine.move_to(READ_MOMENTS[0], tick=False)
    _four_week_cycle(move, p, a)
    token = headers("supervisor")
    rows = []
    for moment in READ_MOMENTS:
        time_machine.move_to(moment, tick=False)
        answer = client.get("/api/v1/reports/forecast?season=4&horizon=4&holdout=8",
                            headers=token)
        rows.append(answer.json["items"][0])
    row = rows[0]
    assert row["sku"] == "TEE-1" and row["model"] == "holt-winters"
    # The cycle repeats exactly, so the same week one season ago is a perfect forecast: the
    # weeks were read back from the ledger exactly as posted.
    assert row["baseline"] == "seasonal-naive" and row["baseline_mase"] == 0.0
    assert row["mase"] < 0.5 and row["weeks"] >= 24
    assert len(row["forecast"]) == 4 and row["next_weeks"] == pytest.approx(80, abs=8)
    # Read at any hour of any day of the week, the same whole weeks give the same figures.
    assert all(other == row for other in rows[1:])
