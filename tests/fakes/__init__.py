"""Real servers standing in for outside services in tests."""
