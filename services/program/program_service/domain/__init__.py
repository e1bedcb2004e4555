"""The program service's rules: pure code, no I/O."""
