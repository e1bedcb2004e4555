"""The gateway's use cases: identity and tenancy, the kiosk's and the trainer's calls, and
the consumers of progression's events. One function per use case, its unit of work first."""
