"""The OpenAPI 3.1 description of the read-only JSON API, written by hand.

`tests/api/test_schema.py` walks the api URLconf and fails when an endpoint is missing here.
Names in `BROWSER_PAGES` are HTML pages for managing tokens, not API endpoints; `not_found`
answers every other path under /api/ with the documented 404.
"""

BROWSER_PAGES = {"tokens", "token_revoke"}
NOT_ENDPOINTS = BROWSER_PAGES | {"not_found"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": _json_content(schema)}


UNAUTHORISED = _response("No valid token and no signed-in session.", _ref("Error"))
NOT_FOUND = _response(
    "Not found, or not visible to the caller (the API never says which).", _ref("Error")
)
CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The project's code, e.g. UTENA-KT-2014.",
    "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "examples": ["UTENA-KT-2014"]},
}

STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
DECIMAL = {"type": "string", "pattern": r"^-?\d+\.\d+$", "description": "A decimal number."}
NULLABLE_STRING = {"type": ["string", "null"]}


def _object(properties: dict, description: str = "") -> dict:
    result = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
    }
    if description:
        result["description"] = description
    return result


COMPONENTS = {
    "Error": _object({"error": STRING}),
    "Money": _object({"amount": DECIMAL, "currency": {"type": "string", "enum": ["EUR", "LTL"]}}),
    "Organisation": _object(
        {"id": {"type": "integer"}, "name": STRING, "short_name": STRING, "type": STRING}
    ),
    "ProjectSummary": _object(
        {
            "code": STRING,
            "title": STRING,
            "role": {
                "type": "string",
                "enum": [
                    "admin",
                    "coordinator",
                    "partner_coordinator",
                    "funder_observer",
                    "trainer",
                ],
                "description": "The caller's role in the project.",
            },
            "lead": _ref("Organisation"),
            "funder": {"oneOf": [_ref("Organisation"), {"type": "null"}]},
            "funding_programme": STRING,
            "grant": _ref("Money"),
            "start_date": DATE,
            "end_date": DATE,
        }
    ),
    "ProjectList": _object(
        {
            "count": {"type": "integer"},
            "results": {"type": "array", "items": _ref("ProjectSummary")},
        }
    ),
    "Partner": _object(
        {"organisation": _ref("Organisation"), "role": STRING, "role_label": STRING}
    ),
    "Session": _object(
        {
            "id": {"type": "integer"},
            "public_id": {"type": "string", "format": "uuid"},
            "title": STRING,
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "academic_hours": DECIMAL,
            "venue": NULLABLE_STRING,
        }
    ),
    "Cohort": _object(
        {
            "id": {"type": "integer"},
            "public_id": {"type": "string", "format": "uuid"},
            "name": STRING,
            "start_date": DATE,
            "end_date": DATE,
            "capacity": {"type": "integer"},
            "venue": NULLABLE_STRING,
            "trainers": {"type": "array", "items": STRING},
            "sessions": {"type": "array", "items": _ref("Session")},
        }
    ),
    "Activity": _object(
        {
            "id": {"type": "integer"},
            "kind": STRING,
            "title": STRING,
            "academic_hours": DECIMAL,
            "completion_percent": {"type": "integer"},
            "cohorts": {"type": "array", "items": _ref("Cohort")},
        }
    ),
    "ProjectDetail": {
        "allOf": [
            _ref("ProjectSummary"),
            {
                "type": "object",
                "properties": {
                    "role_label": STRING,
                    "description": STRING,
                    "planned": _object(
                        {
                            "participants": {"type": "integer"},
                            "academic_hours": {"type": "integer"},
                            "certificates": {"type": "integer"},
                        }
                    ),
                    "partners": {"type": "array", "items": _ref("Partner")},
                    "activities": {
                        "type": "array",
                        "items": _ref("Activity"),
                        "description": "Activities, their cohorts (a trainer: only their own) "
                        "and sessions.",
                    },
                },
                "required": ["role_label", "description", "planned", "partners", "activities"],
            },
        ]
    },
    "Indicators": {
        "type": "object",
        "description": "The project's indicators, exactly as the reports page's JSON download "
        "(kvalis.reports.indicators.indicators_json). A partner coordinator gets them for "
        "their own organisation's people only.",
        "additionalProperties": True,
    },
    "Person": _object(
        {
            "id": {"type": "integer"},
            "first_name": STRING,
            "last_name": STRING,
            "email": STRING,
            "position": STRING,
            "position_category": STRING,
            "organisation": _ref("Organisation"),
        }
    ),
    "PersonPage": _object(
        {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "page_size": {"type": "integer"},
            "next": NULLABLE_STRING,
            "previous": NULLABLE_STRING,
            "results": {"type": "array", "items": _ref("Person")},
        }
    ),
    "Certificate": _object(
        {
            "number": STRING,
            "verification_code": STRING,
            "status": {"type": "string", "enum": ["valid", "revoked", "replaced"]},
            "valid": {"type": "boolean"},
            "participant_name": STRING,
            "holder_name_withheld": {
                "type": "boolean",
                "description": "True when the holder had their personal data erased: the "
                "certificate keeps its status, participant_name is empty.",
            },
            "activity_title": STRING,
            "project_title": STRING,
            "academic_hours": DECIMAL,
            "start_date": {"type": ["string", "null"], "format": "date"},
            "end_date": {"type": ["string", "null"], "format": "date"},
            "issuer_name": STRING,
            "issued_on": {"type": ["string", "null"], "format": "date"},
            "revoked_on": {"type": ["string", "null"], "format": "date"},
            "revocation_statement": {
                "type": ["string", "null"],
                "enum": [
                    "issued_in_error",
                    "replaced",
                    "withdrawn",
                    "requested_by_holder",
                    None,
                ],
                "description": "What the issuer states publicly about a revoked or replaced "
                "certificate; null while it is valid.",
            },
            "revocation_statement_text": {
                "type": "string",
                "description": "The statement in the language of the request; empty while valid.",
            },
            "replaced_by": {
                "oneOf": [
                    _object({"number": STRING, "verification_code": STRING}),
                    {"type": "null"},
                ]
            },
        },
        "What the public verification page states about a certificate.",
    ),
    "OpenAPI": {"type": "object", "description": "This document."},
}


def _get(summary: str, ok: dict, *, parameters=(), public: bool = False, tag: str) -> dict:
    responses = {"200": ok}
    if not public:
        responses["401"] = UNAUTHORISED
    if parameters or not public:
        responses["404"] = NOT_FOUND
    operation = {
        "summary": summary,
        "tags": [tag],
        "parameters": list(parameters),
        "responses": responses,
    }
    if public:
        operation["security"] = []
    return {"get": operation}


PATHS = {
    "/api/schema/": _get(
        "This OpenAPI document",
        _response("The OpenAPI 3.1 document.", _ref("OpenAPI")),
        public=True,
        tag="meta",
    ),
    "/api/projects/": _get(
        "The caller's projects",
        _response("Projects the caller takes part in as staff.", _ref("ProjectList")),
        tag="projects",
    ),
    "/api/projects/{code}/": _get(
        "One project: partners, activities, cohorts and sessions",
        _response("The project.", _ref("ProjectDetail")),
        parameters=[CODE],
        tag="projects",
    ),
    "/api/projects/{code}/indicators/": _get(
        "The project's indicators (needs the reports permission)",
        _response("Indicators.", _ref("Indicators")),
        parameters=[CODE],
        tag="projects",
    ),
    "/api/projects/{code}/people/": _get(
        "People of the project the caller may see, in Lithuanian alphabetical order",
        _response("One page of people.", _ref("PersonPage")),
        parameters=[
            CODE,
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1 (50 people a page).",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
        ],
        tag="people",
    ),
    "/api/certificates/{verification_code}/": _get(
        "Verify a certificate (public)",
        _response("The certificate's facts.", _ref("Certificate")),
        parameters=[
            {
                "name": "verification_code",
                "in": "path",
                "required": True,
                "description": "The code printed on the certificate.",
                "schema": {"type": "string", "examples": ["MFRGGZDFMZTWQ2LK"]},
            }
        ],
        public=True,
        tag="certificates",
    ),
}


def openapi_schema(server_url: str = "/") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kvalis API",
            "version": "1.0.0",
            "description": "A read-only JSON API. Authenticate with a personal API token "
            "(`Authorization: Bearer <token>`, created on /api/tokens/) or a signed-in session. "
            "What the caller may not see answers 404. Dates are ISO 8601; money is a decimal "
            "string with its currency.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": PATHS,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token.",
                },
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
    }
