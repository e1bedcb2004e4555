"""The logging service's rules: pure code, no I/O."""
