"""Models of the ide app."""
