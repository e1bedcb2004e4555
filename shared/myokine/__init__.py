"""The domain vocabulary every Myokine service speaks, and the plumbing they share."""
