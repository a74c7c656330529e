"""Re-export of `anwsim.scenario.routing` (the pure routing rule lives with the
scenario, so that the report can use it without importing the model); kept because
`anwsim.engine.build` imports it from here."""

from anwsim.scenario.routing import OpenHours, Routing

__all__ = ["OpenHours", "Routing"]
