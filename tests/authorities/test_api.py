"""The public responsibility and catalogue-search API."""

from __future__ import annotations

import pytest

from tests.personas import MID_SUFFOLK, a_property

pytestmark = pytest.mark.django_db


def test_responsibility_api_names_the_county_for_free_school_meals(client):
    prop = a_property(MID_SUFFOLK)
    response = client.get("/api/v1/responsibility", {"lgsl": 4, "uprn": prop.uprn})
    assert response.status_code == 200
    body = response.json()
    assert body["authority"]["name"] == "Suffolk County Council"
    assert body["authority"]["tier"] == "county"
    assert body["service"]["lgsl"] == 4
    assert body["uprn"] == prop.uprn
    assert "address" not in body  # public endpoint: it must not say who lives where


def test_responsibility_api_names_the_district_for_garden_waste(client):
    prop = a_property(MID_SUFFOLK)
    response = client.get("/api/v1/responsibility", {"lgsl": 530, "uprn": prop.uprn})
    assert response.json()["authority"] == {
        "slug": "mid-suffolk", "name": "Mid Suffolk District Council", "tier": "district",
        "gss": "E07000203"}


def test_responsibility_api_rejects_malformed_parameters_by_name(client):
    response = client.get("/api/v1/responsibility", {"lgsl": "garden", "uprn": ""})
    assert response.status_code == 400
    assert set(response.json()) == {"lgsl", "uprn"}


def test_responsibility_api_answers_404_for_an_unknown_property(client):
    response = client.get("/api/v1/responsibility", {"lgsl": 530, "uprn": 123})
    assert response.status_code == 404
    assert "no property with UPRN 123" in response.json()["detail"]


def test_service_search_finds_garden_waste_by_words_label_matches_first(client):
    response = client.get("/api/v1/services", {"q": "garden waste"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["lgsl"] == 530
    assert results[0]["providing_tier"] == "district/unitary"


def test_service_search_finds_a_service_by_its_lgsl_number(client):
    results = client.get("/api/v1/services", {"q": "4"}).json()["results"]
    assert [r["label"] for r in results] == ["Free school meals"]


def test_the_openapi_schema_describes_the_partner_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/services", "/api/v1/responsibility", "/api/v1/contacts"} <= set(paths)
