"""Constants shared by tests."""

PASSWORD = "Sample-Passw0rd!"
