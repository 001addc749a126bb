"""Daily demand forecasts, chosen by backtest: what the computed reorder point is made of.

A product's series is its net demand on each complete UTC day, from its first movement (at most
the policy's window back) to yesterday. The candidates, each a level shaped by a pattern:
- naive: the mean of the last four weeks, every day alike (the baseline);
- weekly: that level shaped by a day-of-week profile (each weekday's share of the training
  days), tried once the product has 8 weeks of history;
- yearly: that level shaped by the month-of-year index of the product's category (its products
  pooled, so one year of the category's history is enough, not two of the product's), tried once
  the category has 12 months of history.
Backtest: the last four weeks are held out (two below twelve weeks of history, one below
six); each candidate is fitted on the days before and scored by its mean absolute error (MAE)
per day. A seasonal candidate is kept only when it cuts the naive MAE by at least 10 % (noise
does not pass for a pattern); the best kept one wins and is refitted on everything. The
winner's backtest root mean squared error (RMSE) per day is the forecast's error: safety stock
is z x error x sqrt(lead time).
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
    backtest: object = ()         # its predictions of the held-back days


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
    category: int | None = None   # the category pooled (the caller's note)

    def ahead(self, n: int) -> list[float]:
        """Forecast units on each of the next n days, from `start`."""
        return self.values(n).tolist()

    def values(self, n: int) -> np.ndarray:
        """The same, as an array."""
        found = np.full(n, self.level, dtype=float)
        if self.weekly:
            found *= np.asarray(self.weekly)[weekdays_of(self.start, n)]
        if self.yearly:
            found *= np.asarray(self.yearly)[months_of(self.start, n)]
        return found

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
        return float(sum(self.ahead(n)))  # summed in order: the page's sum, to the last digit

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
                     f"{self.candidates['naive'].mae:.3f} for naive: it must be 10 % lower)")
        return said + "."


def weekdays_of(start: date, n: int) -> np.ndarray:
    """The weekday (0 = Monday) of each of n days from start."""
    return (np.arange(n) + start.weekday()) % 7


def months_of(start: date, n: int) -> np.ndarray:
    """The month (0 = January) of each of n days from start."""
    days = np.datetime64(start, "D") + np.arange(n)
    return days.astype("datetime64[M]").astype(int) % 12


class Pool:
    """A category's daily demand per product, and its month-of-year index as of a day."""

    def __init__(self, start: date, units):
        self.start, self.units = start, np.asarray(units, dtype=float)
        self._index: dict[date, tuple | None] = {}

    def __len__(self) -> int:
        return len(self.units)

    def index(self, until: date) -> tuple | None:
        """Each month's mean daily demand over the mean of the twelve, from the days before
        `until` (None without a full year or without demand); worked out once per day asked."""
        if until not in self._index:
            c = self.units[:max((until - self.start).days, 0)]
            found = None
            if len(c) >= YEAR_DAYS:
                months = months_of(self.start, len(c))
                means = np.bincount(months, c, 12) / np.bincount(months, minlength=12)
                overall = float(means.mean())
                if overall > 0:
                    found = tuple(float(v) for v in means / overall)
            self._index[until] = found
        return self._index[until]


@dataclass
class Fitted:
    """One model fitted on a group of equally long series: a level per series and its shape."""

    level: np.ndarray             # per series
    weekly: np.ndarray | None     # per series, 7 factors
    yearly: np.ndarray | None     # 12 factors, the category's

    def values(self, after: date, n: int) -> np.ndarray:
        """Each series' forecast units on the n days from `after` (series x days)."""
        found = np.repeat(self.level[:, None], n, axis=1)
        if self.weekly is not None:
            found = found * self.weekly[:, weekdays_of(after, n)]
        if self.yearly is not None:
            found = found * self.yearly[months_of(after, n)]
        return found


def fit(name: str, y: np.ndarray, start: date, category=None) -> Fitted | None:
    """One model fitted on series y (each row: days from `start`); None when it cannot be."""
    m, n = y.shape
    recent = y[:, -LEVEL_DAYS:]
    after = start + timedelta(days=n)
    level = recent.mean(axis=1) if n else np.zeros(m)
    if name == "naive":
        return Fitted(level, None, None)
    if name == "weekly":
        if n < WEEKLY_DAYS - 14:  # 6 weeks to train on when 2 are held back from 8
            return None
        days = np.eye(7)[weekdays_of(start, n)]
        mean = y.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            profile = (y @ days) / days.sum(axis=0) / mean[:, None]
        profile[mean <= 0] = 1.0
        shape = profile[:, weekdays_of(after - timedelta(days=recent.shape[1]),
                                       recent.shape[1])].mean(axis=1)
        return Fitted(np.where(shape > 0, level / np.where(shape > 0, shape, 1), 0.0),
                      profile, None)
    if name == "yearly":
        index = category.index(after) if category is not None else None
        if index is None:
            return None
        index = np.asarray(index)
        shape = float(index[months_of(after - timedelta(days=recent.shape[1]),
                                      recent.shape[1])].mean())
        return Fitted(level / shape if shape > 0 else np.zeros(m), None, index)
    raise ValueError(name)


def holdout_for(n: int) -> int:
    """Days held back: four weeks, two below twelve weeks of history, none below three."""
    if n < BACKTEST_FROM:
        return 0
    return 28 if n >= 84 else 14 if n >= 42 else 7


def predict(history, start: date, category=None) -> Forecast:
    """Choose a model by backtest and refit it on everything.

    history: units per day from `start` to yesterday; category: the Pool of the product's
    category, or None.
    """
    return predict_many([(history, start, category)])[0]


def predict_many(items) -> list[Forecast]:
    """predict() of many (history, start, category): those alike in length, start and category
    are fitted together, as arrays (a catalogue of 10,000 is a handful of such groups)."""
    found: list = [None] * len(items)
    groups: dict[tuple, list[int]] = {}
    for i, (history, start, category) in enumerate(items):
        groups.setdefault((len(history), start, id(category)), []).append(i)
    for (n, start, _), rows in groups.items():
        y = np.clip(np.array([items[i][0] for i in rows], dtype=float).reshape(len(rows), n),
                    0, None)
        for i, forecast in zip(rows, _predict_group(y, start, items[rows[0]][2]), strict=True):
            found[i] = forecast
    return found


def _predict_group(y: np.ndarray, start: date, category) -> list[Forecast]:
    """The forecasts of equally long series with the same start and category."""
    m, n = y.shape
    k = holdout_for(n)
    after = start + timedelta(days=n)
    if not k:
        mean = y.mean(axis=1) if n else np.zeros(m)
        sd = y.std(axis=1, ddof=1) if n > 1 else np.zeros(m)
        note = f"needs {BACKTEST_FROM} days of history for a backtest"
        return [Forecast("naive", after, float(mean[r]), float(sd[r]), n, 0,
                         candidates={name: Candidate(name, note=note) for name in LABELS})
                for r in range(m)]
    train, test = y[:, :-k], y[:, -k:]
    scores = {}
    for name in LABELS:
        model = fit(name, train, start, category)
        if model is not None:
            predicted = model.values(after - timedelta(days=k), k)
            scores[name] = (np.round(np.abs(test - predicted).mean(axis=1), 4).tolist(),
                            np.sqrt(((test - predicted) ** 2).mean(axis=1)).tolist(), predicted)
    refits: dict[str, tuple] = {}
    found = []
    demand = y.any(axis=1).tolist()
    for r in range(m):
        if not demand[r]:  # no demand at all: nothing to fit (most of a large catalogue)
            found.append(Forecast("naive", after, 0.0, 0.0, n, 0, candidates={
                name: Candidate(name, note="no demand to fit") for name in LABELS}))
            continue
        candidates = {}
        naive_mae = scores["naive"][0][r]
        best = "naive"
        for name in LABELS:
            if name not in scores:
                candidates[name] = Candidate(name, note=need(name, n, category))
                continue
            mae, rmse, predicted = scores[name]
            c = candidates[name] = Candidate(name, mae[r], rmse[r], backtest=predicted[r])
            if name == "naive":
                c.kept = True
            else:
                c.kept = c.mae < naive_mae * MARGIN
                c.note = "kept: beat naive" if c.kept else "lost its backtest to naive"
                if c.kept and c.mae < candidates[best].mae:
                    best = name
        if best not in refits:  # plain lists: reading numpy scalars one by one is slow
            model = fit(best, y, start, category)
            refits[best] = (model.level.tolist(),
                            model.weekly.tolist() if model.weekly is not None else None,
                            tuple(model.yearly.tolist()) if model.yearly is not None else ())
        level, weekly, yearly = refits[best]
        found.append(Forecast(best, after, level[r], round(candidates[best].rmse, 6), n, k,
                              tuple(weekly[r]) if weekly is not None else (), yearly,
                              candidates))
    return found


def need(name: str, n: int, category) -> str:
    """Why a model was not tried."""
    if name == "weekly":
        return f"needs {WEEKLY_DAYS // 7} weeks of history ({n} days)"
    if category is None:
        return "the product has no category to pool"
    return f"its category needs 12 months of history ({len(category)} days)"
