"""Prediction: features, models against the naive baseline, confidence, decisions."""
