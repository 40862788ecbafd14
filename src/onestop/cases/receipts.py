"""GOV.UK Notify's delivery receipts for case feedback: `POST /api/v1/notify/receipts`.

Notify calls the callback URL set on the council's service with
`Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>` and a JSON body per message: `id`,
`reference`, `to`, `status`, `created_at`, `completed_at`, `sent_at`, `notification_type`,
`template_id`, `template_version`. Notify retries a receipt answered 5xx or 429 and gives
up on any other answer, so: a wrong or missing token is 401 and a malformed body 400 naming
the field (both write nothing; a time more than a day ahead of ours is malformed); a
receipt that names no feedback of ours is answered 200 and logged, since retrying it
cannot help.
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.cases.actions import CaseError, do_record_notify_receipt
from onestop.cases.models import NotifyStatus
from onestop.core.api.fields import BoundedIntegerField, TextField

# request.auth of a caller that gave the callback token.
NOTIFY_CALLER = "notify-callback"


class NotifyCallbackAuthentication(BaseAuthentication):
    """The caller is Notify when it gives the callback token (compared in constant time)."""

    def authenticate(self, request):
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise NotAuthenticated("give the callback token as Authorization: Bearer <token>")
        if not hmac.compare_digest(given.strip().encode(), settings.NOTIFY_CALLBACK_TOKEN.encode()):
            raise AuthenticationFailed(
                "the bearer token is not this service's Notify callback token"
            )
        return AnonymousUser(), NOTIFY_CALLER

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="notify-receipts"'  # makes DRF answer 401, not 403


class NotifyCallbackScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the callback token."""

    target_class = NotifyCallbackAuthentication
    name = "notifyCallbackToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "NOTIFY_CALLBACK_TOKEN, as set on Notify's callbacks page",
        }


class IsNotify(BasePermission):
    # NotifyCallbackAuthentication answers any other caller 401 before this is asked.
    only_authenticates = True

    def has_permission(self, request, view) -> bool:
        return request.auth == NOTIFY_CALLER


# Notify's clock and ours may differ a little. A receipt from further ahead is wrong, and
# taken as it is it would outrank every true receipt after it (the newest one wins).
CLOCK_SLACK = dt.timedelta(days=1)


def not_ahead_of_now(value: dt.datetime | None) -> None:
    if value is not None and value > timezone.now() + CLOCK_SLACK:
        raise serializers.ValidationError(
            f"{value.isoformat()} is more than a day ahead of now: this is not a real time")


class NotifyReceiptIn(serializers.Serializer):
    id = serializers.UUIDField(help_text="Notify's notification id")
    reference = TextField(
        allow_null=True, allow_blank=True, max_length=1000, help_text="Our reference: feedback:<id>"
    )
    to = TextField(max_length=320)
    status = serializers.ChoiceField(choices=NotifyStatus.choices)
    created_at = serializers.DateTimeField(validators=[not_ahead_of_now])
    completed_at = serializers.DateTimeField(allow_null=True, required=False,
                                             validators=[not_ahead_of_now])
    sent_at = serializers.DateTimeField(allow_null=True, required=False,
                                        validators=[not_ahead_of_now])
    notification_type = serializers.ChoiceField(choices=["email", "sms", "letter"])
    template_id = serializers.UUIDField(required=False)
    template_version = BoundedIntegerField(strict=True, required=False, min_value=1)


class NotifyReceiptOut(serializers.Serializer):
    feedback = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    recorded = serializers.BooleanField()


class NotifyReceipts(APIView):
    """A delivery receipt from GOV.UK Notify: what became of an email or text sent with
    reference `feedback:<id>`. Answers 200 whether or not it changed anything."""

    authentication_classes = [NotifyCallbackAuthentication]
    permission_classes = [IsNotify]

    @extend_schema(request=NotifyReceiptIn, responses={200: NotifyReceiptOut})
    def post(self, request):
        payload = NotifyReceiptIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            feedback, recorded = do_record_notify_receipt(
                reference=data["reference"],
                status=data["status"],
                notification_id=str(data["id"]),
                at=data.get("completed_at"),
            )
        except CaseError as error:
            # the serializer lets none through
            raise ValidationError({"non_field_errors": [str(error)]}) from None
        return Response(
            {
                "feedback": feedback.pk if feedback else None,
                "status": feedback.notify_status if feedback else None,
                "recorded": recorded,
            }
        )
