"""Submissions, the queue view and maintainer reruns for the Space (no torch)."""
