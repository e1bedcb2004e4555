"""The gateway's use cases: identity and tenancy, the kiosk's calls, the trainer's calls."""
