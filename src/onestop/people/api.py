"""Partner and desk API for people: find a resident with one free-text query."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core.api.fields import BoundedIntegerField
from onestop.people.queries import SEARCH_LIMIT, BadSearch, PersonSearch, search_people
from onestop.people.search import MIN_QUERY_LENGTH
from onestop.staff.models import Role

SEARCH_ROLES = (Role.ADVISER, Role.TEAM_LEADER, Role.BACK_OFFICE_OFFICER, Role.ADMINISTRATOR)


class MaySearchPeople(BasePermission):
    message = ("Only advisers, team leaders, back-office officers and administrators may "
               "search for residents.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(*SEARCH_ROLES))


class PeopleQuery(serializers.Serializer):
    q = serializers.CharField(
        min_length=MIN_QUERY_LENGTH, max_length=200,
        help_text="Name, postcode (whole, or its outward code or sector: IP14, IP14 1), date "
                  "of birth (14/03/1958, 1958-03-14, 14 Mar 1958, …) and phone number, in any "
                  "order. Typos, nicknames and swapped names are tolerated.",
        error_messages={
            "required": "q is required: a name, postcode, date of birth or phone number",
            "blank": "q is empty: enter a name, postcode, date of birth or phone number",
            "min_length": f"q must be at least {MIN_QUERY_LENGTH} characters long",
            "max_length": "q must be at most 200 characters long",
        })
    limit = BoundedIntegerField(min_value=1, max_value=SEARCH_LIMIT, default=SEARCH_LIMIT,
                                help_text=f"At most this many results (1 to {SEARCH_LIMIT})")


class PersonResult(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    address = serializers.CharField(allow_null=True, help_text="One line; null if not known")
    postcode = serializers.CharField(allow_null=True)
    score = serializers.FloatField(help_text="Higher is a better match; see "
                                             "onestop.people.search for the rule")


def _result(match) -> dict:
    person = match.person
    prop = person.household.property if person.household_id else None
    return {"id": person.pk, "name": person.full_name, "date_of_birth": person.date_of_birth,
            "address": prop.one_line_address if prop else None,
            "postcode": prop.postcode if prop else None, "score": match.score}


class PeopleSearch(APIView):
    """Residents the caller may see who match `q`, best match first (at most `limit`, 50).

    The same search and order as the adviser desktop's "Find a resident" page.
    """

    permission_classes = [MaySearchPeople]

    @extend_schema(
        parameters=[PeopleQuery],
        responses={
            200: inline_serializer("PeopleSearchResults", {
                "count": serializers.IntegerField(help_text=f"How many results (at most "
                                                            f"{SEARCH_LIMIT})"),
                "results": PersonResult(many=True),
            }),
        },
    )
    def get(self, request):
        query = PeopleQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            matches = search_people(request.user, PersonSearch(text=query.validated_data["q"]))
        except BadSearch as error:
            raise ValidationError({"q": [str(error)]}) from None
        matches = matches[:query.validated_data["limit"]]
        results = PersonResult([_result(match) for match in matches], many=True).data
        return Response({"count": len(results), "results": results})
