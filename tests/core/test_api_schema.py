"""The OpenAPI schema tells a partner every answer they can get, errors included, and bounds
every integer it asks for; the fuzzing script's wiring fails when the API fails."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path as url_path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = {
    ("get", "/api/v1/services"), ("get", "/api/v1/responsibility"), ("get", "/api/v1/people"),
    ("post", "/api/v1/contacts"), ("post", "/api/v1/life-events"),
    ("post", "/api/v1/notify/receipts"),
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def integers(schema: dict, node: dict, where: str, seen=()):
    """Every integer a request may carry, with where it is."""
    if "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = (*seen, node["$ref"])
        node = resolve(schema, node)
    if node.get("type") == "integer":
        yield where, node
    for name, inner in node.get("properties", {}).items():
        yield from integers(schema, inner, f"{where}.{name}", seen)
    if "items" in node:
        yield from integers(schema, node["items"], f"{where}[]", seen)
    for part in node.get("allOf", []) + node.get("oneOf", []):
        yield from integers(schema, part, where, seen)


def test_every_operation_documents_its_error_answers_with_their_bodies(schema):
    found = {(method, path) for method, path, _ in operations(schema)}
    assert found == OPERATIONS
    for method, path, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"400", "401"} <= codes, (method, path)
        if method == "post":
            assert {"413", "415"} <= codes, (method, path)
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                body = response["content"]["application/json"]["schema"]
                assert body["$ref"].endswith(("/ValidationErrors", "/ErrorDetail")), (path, code)
    responses = {(m, p): o["responses"] for m, p, o in operations(schema)}
    assert "403" in responses[("post", "/api/v1/contacts")]
    assert "403" in responses[("get", "/api/v1/people")]
    assert "404" in responses[("get", "/api/v1/responsibility")]
    # Notify's token either passes or is refused with 401: never 403.
    assert "403" not in responses[("post", "/api/v1/notify/receipts")]
    assert "403" not in responses[("get", "/api/v1/services")]


def test_a_throttled_operation_documents_429():
    class FiveAnHour(AnonRateThrottle):
        rate = "5/hour"

    class Throttled(APIView):
        permission_classes = [AllowAny]
        throttle_classes = [FiveAnHour]

        def get(self, request):
            return Response({})

    generated = SchemaGenerator(patterns=[url_path("throttled", Throttled.as_view())]).get_schema(
        request=None, public=True)
    responses = generated["paths"]["/throttled"]["get"]["responses"]
    assert responses["429"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorDetail")


def test_error_bodies_are_described_as_they_are(schema):
    components = schema["components"]["schemas"]
    assert components["ErrorDetail"]["required"] == ["detail"]
    errors = components["ValidationErrors"]
    assert errors["type"] == "object" and errors["minProperties"] == 1


def test_the_api_reads_json_only(schema):
    for _, path, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], path


def test_every_integer_a_request_carries_is_bounded_by_its_column(schema):
    checked = []
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            checked += integers(schema, parameter["schema"], f"{path} {parameter['name']}")
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            checked += integers(schema, body["schema"], f"{method} {path}")
    assert len(checked) == 10, [where for where, _ in checked]
    for where, node in checked:
        assert "maximum" in node and "minimum" in node, where
        assert node["maximum"] <= 2**63 - 1, where


# --- the fuzzing script --------------------------------------------------------------------

SCHEMA = {
    "openapi": "3.0.3", "info": {"title": "broken", "version": "1"},
    "paths": {"/api/v1/services": {"get": {
        "operationId": "services",
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object"}}}}}}}},
}


class BrokenApi(BaseHTTPRequestHandler):
    """Serves a one-operation schema and answers that operation with a server error."""

    def do_GET(self):
        if self.path.startswith("/api/schema/"):
            self._answer(200, SCHEMA)
        else:
            self._answer(500, {"detail": "boom"})

    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "schemathesis").exists(),
                    reason="schemathesis is installed by `make install` (the dev extras)")
def test_the_fuzzing_script_fails_when_the_api_answers_a_server_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "API_FUZZ_URL": f"http://127.0.0.1:{server.server_port}",
               "API_FUZZ_EXAMPLES": "3", "NOTIFY_CALLBACK_TOKEN": settings.NOTIFY_CALLBACK_TOKEN}
        run = subprocess.run([str(ROOT / "scripts" / "api-fuzz"), "--phases", "fuzzing"],
                             env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert run.returncode != 0, run.stdout
    assert "Server error" in run.stdout
