"""Daily demand forecasts, chosen by backtest: what the computed reorder point is made of.

A product's series is its net demand on each complete UTC day, from its first movement (at most
the policy's window back) to yesterday. The candidates, each a level shaped by a pattern:
- naive: the mean of the last four weeks, every day alike (the baseline);
- weekly: that level shaped by a day-of-week profile (each weekday's share of the training
  days), tried once the product has 8 weeks of history;
- yearly: that level shaped by the month-of-year index of the product's category (its products
  pooled, so one year of the category's history is enough, not two of the product's), tried once
  the category has 12 months of history.
Backtest: the last four weeks are held out (two below twelve weeks of history); each candidate
is fitted on the days before and scored by its mean absolute error (MAE) per day. A seasonal
candidate is kept only when it cuts the naive MAE by at least 10 % (noise does not pass for a
pattern); the best kept one wins and is refitted on everything. The winner's backtest root mean
squared error (RMSE) per day is the forecast's error: safety stock is z x error x sqrt(lead time).
Below three weeks of history there is no backtest: the mean and the sample standard deviation of
the daily demand. Hand-written with numpy: each model is a few array operations, and a batch of
hundreds of products is fitted inside a commit (statsmodels' smoothers take milliseconds each).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

MARGIN = 0.9          # a seasonal model must cut the naive error by at least 10 %
LEVEL_DAYS = 28       # the level: the mean of the last four weeks
WEEKLY_DAYS = 56      # the weekly profile is tried from 8 weeks of history
BACKTEST_FROM = 21    # below three weeks: no backtest
YEAR_DAYS = 365       # the category's month index needs a year
LABELS = {"naive": "Naive (mean of the last 4 weeks)", "weekly": "Weekly (day-of-week profile)",
          "yearly": "Yearly (category's month-of-year index)"}


@dataclass
class Candidate:
    """One model's backtest: its errors, or why it was not tried."""

    name: str
    mae: float | None = None
    rmse: float | None = None
    kept: bool = False
    note: str = ""
    backtest: list[float] = field(default_factory=list)


@dataclass
class Forecast:
    """The chosen model of one product, fitted on its whole history, and its error."""

    model: str
    start: date                   # the first day forecast (today: the series ends yesterday)
    level: float
    error: float                  # RMSE per day of the backtest (or the SD without one)
    days: int                     # days of history
    holdout: int = 0
    weekly: tuple = ()            # day-of-week factors, Monday first, when the model uses them
    yearly: tuple = ()            # month factors, January first, when the model uses them
    candidates: dict = field(default_factory=dict)

    def ahead(self, n: int) -> list[float]:
        """Forecast units on each of the next n days, from `start`."""
        return [self.on(self.start + timedelta(days=i)) for i in range(n)]

    def on(self, day: date) -> float:
        """Forecast units on one day."""
        value = self.level
        if self.weekly:
            value *= self.weekly[day.weekday()]
        if self.yearly:
            value *= self.yearly[day.month - 1]
        return value

    def over(self, n: int) -> float:
        """Forecast units over the next n days (a lead time)."""
        return float(sum(self.ahead(n)))

    @property
    def verdict(self) -> str:
        """What the backtest says, in words."""
        if not self.holdout:
            return (f"{self.days} days of history: too few for a backtest (needs "
                    f"{BACKTEST_FROM}); the mean and standard deviation of daily demand.")
        lost = [c for c in self.candidates.values() if c.name != "naive" and c.mae is not None
                and not c.kept]
        said = f"{LABELS[self.model]}, chosen by a backtest on the last {self.holdout} days"
        for c in lost:
            said += (f"; the {c.name} model lost its backtest (MAE {c.mae:.3f} against "
                     f"{self.candidates['naive'].mae:.3f} for naive)")
        return said + "."


def weekday_profile(y: np.ndarray, start: date) -> tuple:
    """Each weekday's mean over the overall mean (1 everywhere for a series without demand)."""
    mean = float(y.mean())
    if mean <= 0:
        return (1.0,) * 7
    first = start.weekday()
    days = (np.arange(len(y)) + first) % 7
    return tuple(float(y[days == d].mean() / mean) if np.any(days == d) else 1.0
                 for d in range(7))


def month_index(c: np.ndarray, start: date) -> tuple | None:
    """Each month's mean daily demand over the mean of the twelve (None without a full year or
    without demand)."""
    if len(c) < YEAR_DAYS:
        return None
    months = np.array([(start + timedelta(days=i)).month - 1 for i in range(len(c))])
    means = np.array([c[months == m].mean() for m in range(12)])
    overall = float(means.mean())
    if overall <= 0:
        return None
    return tuple(float(v) for v in means / overall)


def months_of(start: date, n: int) -> np.ndarray:
    """The month (0-11) of each of n days from start."""
    return np.array([(start + timedelta(days=i)).month - 1 for i in range(n)])


def fit(name: str, y: np.ndarray, start: date, category=None) -> Forecast | None:
    """One model fitted on y (days from `start`); None when the model cannot be fitted."""
    recent = y[-LEVEL_DAYS:]
    after = start + timedelta(days=len(y))
    if name == "naive":
        return Forecast("naive", after, float(recent.mean()) if len(y) else 0.0, 0.0, len(y))
    if name == "weekly":
        if len(y) < WEEKLY_DAYS - 14:  # 6 weeks to train on when 2 are held back from 8
            return None
        profile = weekday_profile(y, start)
        days = (np.arange(len(y) - len(recent), len(y)) + start.weekday()) % 7
        shape = float(np.mean([profile[d] for d in days]))
        level = float(recent.mean()) / shape if shape > 0 else 0.0
        return Forecast("weekly", after, level, 0.0, len(y), weekly=profile)
    if name == "yearly":
        if category is None:
            return None
        c_start, c = category
        index = month_index(c[:(after - c_start).days], c_start)
        if index is None:
            return None
        months = months_of(after - timedelta(days=len(recent)), len(recent))
        shape = float(np.mean([index[m] for m in months]))
        level = float(recent.mean()) / shape if shape > 0 else 0.0
        return Forecast("yearly", after, level, 0.0, len(y), yearly=index)
    raise ValueError(name)


def holdout_for(n: int) -> int:
    """Days held back: four weeks, two below twelve weeks of history, none below three."""
    if n < BACKTEST_FROM:
        return 0
    return 28 if n >= 84 else 14 if n >= 42 else 7


def predict(history, start: date, category=None) -> Forecast:
    """Choose a model by backtest and refit it on everything.

    history: units per day from `start` to yesterday; category: (its start, its units per day)
    pooled over the product's category, or None.
    """
    y = np.clip(np.asarray(history, dtype=float), 0, None)
    n = len(y)
    k = holdout_for(n)
    candidates = {name: Candidate(name) for name in LABELS}
    if n and not y.any():  # no demand at all: nothing to fit (most of a large catalogue)
        for c in candidates.values():
            c.note = "no demand to fit"
        return Forecast("naive", start + timedelta(days=n), 0.0, 0.0, n, 0,
                        candidates=candidates)
    if not k:
        mean = float(y.mean()) if n else 0.0
        sd = float(y.std(ddof=1)) if n > 1 else 0.0
        for c in candidates.values():
            c.note = f"needs {BACKTEST_FROM} days of history for a backtest"
        return Forecast("naive", start + timedelta(days=n), mean, sd, n, 0,
                        candidates=candidates)
    train, test = y[:-k], y[-k:]
    for name, c in candidates.items():
        model = fit(name, train, start, category)
        if model is None:
            c.note = need(name, n, category)
            continue
        predicted = np.array(model.ahead(k))
        c.mae = round(float(np.mean(np.abs(test - predicted))), 4)
        c.rmse = float(np.sqrt(np.mean((test - predicted) ** 2)))
        c.backtest = [round(float(v), 2) for v in predicted]
    naive = candidates["naive"]
    naive.kept = True
    best = naive
    for c in candidates.values():
        if c.name != "naive" and c.mae is not None:
            c.kept = c.mae < naive.mae * MARGIN
            c.note = "kept: beat naive" if c.kept else "lost its backtest to naive"
            if c.kept and c.mae < best.mae:
                best = c
    chosen = fit(best.name, y, start, category) or fit("naive", y, start)
    chosen.error, chosen.holdout, chosen.candidates = round(best.rmse, 6), k, candidates
    return chosen


def need(name: str, n: int, category) -> str:
    """Why a model was not tried."""
    if name == "weekly":
        return f"needs {WEEKLY_DAYS // 7} weeks of history ({n} days)"
    if category is None:
        return "the product has no category to pool"
    return f"its category needs 12 months of history ({len(category[1])} days)"
