"""Forecasts: a seasonal series is caught, noise is not dressed up as a pattern."""
import numpy as np
import pytest

from tests.insight.conftest import days_ago
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


def test_the_forecast_report_reads_weekly_demand_from_the_ledger(db, shop, move, client,
                                                                 headers):
    p, a = shop["product"], shop["A"]
    move("receive", p, 5000, days_ago(200), to_location=a, unit_cost="1.00")
    for week in range(1, 25):  # a 4-week cycle: 10, 20, 30, 20 units a week
        move("pick", p, (10, 20, 30, 20)[week % 4], days_ago(7 * week + 3), from_location=a)
    answer = client.get("/api/v1/reports/forecast?season=4&horizon=4&holdout=8",
                        headers=headers("supervisor"))
    row = answer.json["items"][0]
    assert row["sku"] == "TEE-1" and row["model"] == "holt-winters"
    # The cycle repeats exactly, so the same week one season ago is a perfect forecast: the
    # weeks were read back from the ledger exactly as posted.
    assert row["baseline"] == "seasonal-naive" and row["baseline_mase"] == 0.0
    assert row["mase"] < 0.5 and row["weeks"] >= 24
    assert len(row["forecast"]) == 4 and row["next_weeks"] == pytest.approx(80, abs=8)
