"""`python -m program_service api|worker|relay|migrate|...` (the roles: `myokine.service_cli`)."""

from myokine.service_cli import main
from program_service.bootstrap import bootstrap

main(bootstrap().runtime, app_factory="program_service.main:create_app")
