"""`python -m gateway_service api|worker|relay|migrate`."""

from myokine.service_cli import main

from gateway_service.main import runtime

main(runtime, app_path="gateway_service.main:app")
