"""Partner API for life events: a registrar's or another partner's system tells us once."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core.api.fields import RecordIdField, TextField
from onestop.lifeevents.actions import Informant, LifeEventError, do_report_life_event
from onestop.lifeevents.mapping import EventKind
from onestop.lifeevents.queries import event_with_notices
from onestop.people.actions import do_open_person_record
from onestop.people.models import Person
from onestop.staff.models import Role


class MayReportLifeEvents(BasePermission):
    message = "Only partner systems and advisers may report life events."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated
                    and user.has_role(Role.PARTNER_SYSTEM, Role.ADVISER))


class InformantIn(serializers.Serializer):
    person = RecordIdField(strict=True, required=False,
                           help_text="OneStop person id, if the informant is a resident")
    name = TextField(required=False, allow_blank=True, max_length=160)
    email = TextField(required=False, allow_blank=True, max_length=254)
    phone = TextField(required=False, allow_blank=True, max_length=32)

    def validate(self, data):
        if "person" in data:
            person = Person.objects.filter(pk=data["person"]).first()
            if person is None:
                # As the action words an informant the reporter may not see: an id
                # tells nothing of who is on our records.
                raise serializers.ValidationError({"person": f"no person with id "
                                                             f"{data['person']} that you "
                                                             f"may see"})
            return person
        if not data.get("name", "").strip():
            raise serializers.ValidationError("give the informant's person id, or their "
                                              "name with an email or phone number")
        return Informant(name=data["name"], email=data.get("email", ""),
                         phone=data.get("phone", ""))


class LifeEventIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    person = RecordIdField(strict=True, help_text="OneStop person id of whom it happened to")
    occurred_on = serializers.DateField()
    details = serializers.DictField(required=False, default=dict, help_text=(
        "birth: child_given_name, child_family_name; moving_in / moving_within: uprn; "
        "moving_out: new_address; change_of_name: given_name, family_name; "
        "becoming_carer: cared_for; others: none"))
    informant = InformantIn(required=False, help_text="Required for a death")

    def validate_person(self, value):
        person = Person.objects.filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(f"no person with id {value}")
        return person


class NoticeOut(serializers.Serializer):
    lgsl = serializers.IntegerField(source="service.lgsl")
    service = serializers.CharField(source="service.label")
    authority = serializers.CharField(source="authority.name", allow_null=True)
    team = serializers.CharField(source="team.slug", allow_null=True)
    delivery = serializers.CharField()
    why = serializers.CharField()


class LifeEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.SerializerMethodField()
    kind = serializers.CharField()
    person = serializers.IntegerField(source="person_id")
    occurred_on = serializers.DateField()
    reported_at = serializers.DateTimeField()
    changes = serializers.ListField(child=serializers.CharField())
    notices = NoticeOut(many=True, source="notices.all")
    confirmation_sent = serializers.SerializerMethodField()

    def get_reference(self, event) -> str:
        return f"LE-{event.pk:06d}"

    def get_confirmation_sent(self, event) -> bool:
        return event.confirmation_id is not None


# Map the action's field names to the request's.
FIELDS = {"informant.name": "informant", "informant.email": "informant",
          "informant.phone": "informant"}


class LifeEventCreate(APIView):
    """Report a life event once; every affected service is told and the resident (or the
    informant, for a death) gets one confirmation. Reporting the same event again (same
    kind, person and date) answers 200 with the event already recorded and changes
    nothing."""

    permission_classes = [MayReportLifeEvents]

    @extend_schema(request=LifeEventIn, responses={201: LifeEventOut, 200: LifeEventOut})
    def post(self, request):
        payload = LifeEventIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        # Logged like any other opening of a resident's record; a refusal too.
        do_open_person_record(request.user, data["person"], purpose="life event (API)")
        try:
            event = do_report_life_event(data["kind"], data["person"], data["occurred_on"],
                                         data.get("details", {}), request.user,
                                         informant=data.get("informant"))
        except LifeEventError as error:
            raise ValidationError({FIELDS.get(error.field, error.field): [str(error)]}) \
                from None
        fresh = event_with_notices().get(pk=event.pk)
        return Response(LifeEventOut(fresh).data, status=status.HTTP_201_CREATED
                        if event.reported_now else status.HTTP_200_OK)
