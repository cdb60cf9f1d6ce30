"""brokerage package."""
