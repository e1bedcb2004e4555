"""`python -m logging_service api|worker|relay|migrate`."""

from logging_service.bootstrap import bootstrap
from myokine.service_cli import main

main(bootstrap().runtime, app_factory="logging_service.main:create_app")
