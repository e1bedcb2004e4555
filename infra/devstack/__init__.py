"""Developer tooling: embedded servers, the `make run` supervisor, test server discovery."""
