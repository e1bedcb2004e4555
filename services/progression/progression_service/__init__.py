"""The progression service of Myokine."""
