"""`python -m program_service api|worker|relay|migrate`."""

from myokine.service_cli import main
from program_service.main import runtime

main(runtime, app_factory="program_service.main:create_app")
