"""The progression service's rules: pure code, no I/O."""
