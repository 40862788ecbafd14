from __future__ import annotations

import importlib

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "onestop.integrations"
    label = "integrations"
    verbose_name = "Integrations (outbox and delivery)"

    def ready(self) -> None:
        # Importing a handler module registers its kinds with onestop.integrations.handlers.
        importlib.import_module("onestop.integrations.handlers")  # "webhook"
        try:
            importlib.import_module("onestop.integrations.notify")  # "notify.email", "notify.sms"
        except ModuleNotFoundError as error:
            # A checkout without the Notify integration still delivers webhooks; a notify
            # message then goes dead with "no handler" and can be replayed once it is there.
            if error.name != "onestop.integrations.notify":
                raise
