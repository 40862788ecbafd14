"""Public catalogue API: search services; who provides a service at an address."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.authorities.queries import UnknownProperty, UnknownService, who_provides
from onestop.authorities.responsibility import NoProvider
from onestop.catalogue.models import Service
from onestop.catalogue.queries import search_services
from onestop.core.api.fields import BoundedIntegerField, LgslField
from onestop.core.api.schema import ErrorDetail


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["lgsl", "label", "description", "providing_tier"]


@extend_schema(parameters=[OpenApiParameter("q", str, description="words or an LGSL number")])
class ServiceSearch(generics.ListAPIView):
    """Search the LGSL catalogue by words in the label or description, or by number."""

    serializer_class = ServiceSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return search_services(self.request.query_params.get("q", ""))


class ResponsibilityQuery(serializers.Serializer):
    lgsl = LgslField()
    uprn = BoundedIntegerField(big=True, min_value=1, max_value=999_999_999_999)


class AuthoritySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField()
    gss = serializers.CharField()


class Responsibility(APIView):
    """Which authority provides service `lgsl` at the property `uprn` (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[ResponsibilityQuery],
        responses={
            200: inline_serializer("Responsibility", {
                "service": ServiceSerializer(),
                "uprn": serializers.IntegerField(),
                "authority": AuthoritySerializer(),
            }),
            404: OpenApiResponse(ErrorDetail, description="No service with that LGSL number, "
                                                          "or no property with that UPRN"),
        },
    )
    def get(self, request):
        query = ResponsibilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            service, prop, authority = who_provides(**query.validated_data)
        except (UnknownService, UnknownProperty) as error:
            raise NotFound(str(error)) from None
        except NoProvider as error:
            raise ValidationError({"uprn": [str(error)]}) from None
        return Response({
            "service": ServiceSerializer(service).data,
            # No address: this endpoint is public and must not reveal who lives where.
            "uprn": prop.uprn,
            "authority": AuthoritySerializer(authority).data,
        })
