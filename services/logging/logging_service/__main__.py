"""`python -m logging_service api|worker|relay|migrate`."""

from logging_service.main import runtime
from myokine.service_cli import main

main(runtime, app_path="logging_service.main:app")
