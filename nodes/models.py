"""Models of the nodes app."""
