"""`onestop who_provides --lgsl S --uprn U`: print the authority that provides S at U."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onestop.authorities.queries import UnknownProperty, UnknownService, who_provides
from onestop.authorities.responsibility import NoProvider


class Command(BaseCommand):
    help = "Print the name of the authority that provides an LGSL service at a property."

    def add_arguments(self, parser):
        parser.add_argument("--lgsl", type=int, required=True, help="LGSL service number")
        parser.add_argument("--uprn", type=int, required=True, help="the property's UPRN")

    def handle(self, *args, lgsl: int, uprn: int, **options):
        try:
            _, _, authority = who_provides(lgsl, uprn)
        except (UnknownService, UnknownProperty, NoProvider) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(authority.name)
