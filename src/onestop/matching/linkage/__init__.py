"""Probabilistic record linkage of source records into persons (Splink on DuckDB)."""
