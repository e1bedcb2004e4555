"""The gateway service of Myokine."""
