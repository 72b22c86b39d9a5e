"""Feedback: see models.py."""
