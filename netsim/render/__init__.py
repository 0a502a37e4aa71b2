"""Renderers: verdicts and results in, text out (never printing, never evaluating)."""
