"""`python -m logging_service api|worker|relay|migrate`."""

from myokine.service_cli import main

from logging_service.main import runtime

main(runtime, app_path="logging_service.main:app")
