"""Audit trail page."""
