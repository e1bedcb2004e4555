"""The gateway service's rules: pure code, no I/O."""
