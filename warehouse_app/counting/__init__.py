"""Cycle counting. For now only its model: requests to count a bin (a short pick raises one)."""
