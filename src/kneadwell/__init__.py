"""Kneadwell: therapeutic massage programmes, planned, guided, recorded and evaluated."""
