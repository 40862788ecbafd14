"""Partner-system API for contacts: a partner's own front end logs contacts here."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.catalogue.models import Service
from onestop.contacts.actions import ContactError, do_log_contact
from onestop.contacts.models import Contact
from onestop.core.api.fields import LgslField, RecordIdField, TextField
from onestop.people.actions import do_open_person_record
from onestop.people.models import Person
from onestop.staff.models import Role


class MayLogContacts(BasePermission):
    message = "Only partner systems and advisers may log contacts."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated
                    and user.has_role(Role.PARTNER_SYSTEM, Role.ADVISER))


# More services than any one conversation covers; the list is bounded like everything else.
MAX_SERVICES = 50


class ContactIn(serializers.Serializer):
    person = RecordIdField(strict=True, required=False, allow_null=True,
                           help_text="OneStop person id; omit for anonymous")
    channel = serializers.ChoiceField(choices=Contact.Channel.choices)
    outcome = serializers.ChoiceField(choices=Contact.Outcome.choices)
    services = serializers.ListField(child=LgslField(strict=True), allow_empty=False,
                                     min_length=1, max_length=MAX_SERVICES,
                                     help_text="LGSL numbers discussed")
    notes = TextField(required=False, allow_blank=True, max_length=10_000)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False)
    source_reference = TextField(required=False, allow_blank=True, max_length=100)

    def validate_person(self, value):
        if value is None:
            return None
        person = Person.objects.filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(f"no person with id {value}")
        return person

    def validate_services(self, value):
        wanted = list(dict.fromkeys(value))
        found = {s.lgsl: s for s in Service.objects.filter(lgsl__in=wanted)}
        unknown = [str(lgsl) for lgsl in wanted if lgsl not in found]
        if unknown:
            raise serializers.ValidationError(f"no service with LGSL {', '.join(unknown)}")
        return [found[lgsl] for lgsl in wanted]


class ContactOut(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(many=True, read_only=True, slug_field="lgsl")

    class Meta:
        model = Contact
        fields = ["id", "person", "channel", "outcome", "services", "notes", "started_at",
                  "ended_at", "source_reference", "recorded_by"]


class ContactCreate(APIView):
    permission_classes = [MayLogContacts]

    @extend_schema(request=ContactIn, responses={201: ContactOut})
    def post(self, request):
        payload = ContactIn(data=request.data)
        payload.is_valid(raise_exception=True)
        person = payload.validated_data.get("person")
        if person is not None:
            # Logged like any other opening of a resident's record; a refusal too.
            do_open_person_record(request.user, person, purpose="log contact (API)")
        try:
            contact = do_log_contact(recorded_by=request.user, **payload.validated_data)
        except ContactError as error:
            raise ValidationError({error.field: [str(error)]}) from None
        return Response(ContactOut(contact).data, status=status.HTTP_201_CREATED)
