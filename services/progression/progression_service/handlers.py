"""The progression service's use cases: one function per command or event, one transaction each."""

from __future__ import annotations
