"""`python -m logging_service api|worker|relay|migrate`."""

from logging_service.main import runtime
from myokine.service_cli import main

main(runtime, app_factory="logging_service.main:create_app")
