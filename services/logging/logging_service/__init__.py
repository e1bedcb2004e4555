"""The logging service of Myokine."""
