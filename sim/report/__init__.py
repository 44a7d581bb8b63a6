"""Charts and the policy briefing, reading only stored results."""
