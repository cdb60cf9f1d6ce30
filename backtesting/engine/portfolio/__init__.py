"""portfolio package."""
