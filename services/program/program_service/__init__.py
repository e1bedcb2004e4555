"""The program service of Myokine."""
