"""`python -m gateway_service api|worker|relay|migrate`."""

from gateway_service.main import runtime
from myokine.service_cli import main

main(runtime, app_factory="gateway_service.main:create_app")
