"""The OpenAPI 3 document served at ``/openapi.json``, written by hand.

Written out rather than generated: the API is small, its check response is the
CLI's JSON (described in README "JSON output"), and a test checks that every route
of the app is here and every path here is a route.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}


def _upload_form(extra: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "file": {"type": "string", "format": "binary",
                 "description": "The document (.docx, .pdf, .txt, .md, .html). Its file name is used only as the document's name in the report."},
        "pack": {"type": "array", "items": {"type": "string"},
                 "description": "Pack name(s) loaded by the server (repeat the field or separate by commas). Default: the server's default packs."},
        "assume_applicable": {"type": "boolean", "default": False,
                              "description": "Check every rule even when the document is outside the pack's subject."},
        "select": {"type": "string", "description": "Only these rules (ids or names, comma-separated; prefixes such as SFP1 allowed)."},
        "ignore": {"type": "string", "description": "Skip these rules (ids or names, comma-separated)."},
    }
    props.update(extra)
    return {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": props}}}}


def _diff_form() -> dict[str, Any]:
    form = _upload_form({
        "old": {"type": "string", "format": "binary", "description": "The earlier version."},
        "new": {"type": "string", "format": "binary", "description": "The later version."},
        "format": {"type": "string", "enum": ["json", "markdown", "text", "sarif"], "default": "json"},
    })
    schema = form["content"]["multipart/form-data"]["schema"]
    del schema["properties"]["file"]
    schema["required"] = ["old", "new"]
    return form


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _ERROR for c in codes}


def openapi_document(version: str) -> dict[str, Any]:
    formats = ["json", "sarif", "junit", "html", "markdown", "text", "github"]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "clause-lint",
            "version": version,
            "description": "Check contracts and policies against rule packs. Every request needs "
                           "'Authorization: Bearer TOKEN' when the server was started with a token.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "example": "unsupported-format"},
                        "message": {"type": "string", "example": "offer.xlsx: this is an Excel workbook (.xlsx), not a supported document"},
                    }}},
                },
                "Report": {
                    "type": "object",
                    "description": "Exactly what `clause-lint check --format json` prints for the document (see the README, JSON output).",
                    "required": ["tool", "packs", "documents", "summary"],
                    "properties": {
                        "tool": {"type": "object"}, "packs": {"type": "array", "items": {"type": "object"}},
                        "documents": {"type": "array", "items": {"type": "object"}}, "summary": {"type": "object"},
                    },
                },
            },
            "responses": {
                "Error": {"description": "400 bad input, 401 token, 404 unknown, 413 too large or over the time budget, "
                                         "415 unsupported format, 503 busy (see Retry-After), 500 internal",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/check": {"post": {
                "summary": "Check one document",
                "requestBody": _upload_form({"format": {"type": "string", "enum": formats, "default": "json",
                                                        "description": "Output format, as `check --format`."}}),
                "responses": {
                    "200": {"description": "The report, byte for byte what `check --format FORMAT` prints for a file of that name.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                                        "application/sarif+json": {"schema": {"type": "object"}},
                                        "application/xml": {"schema": {"type": "string"}},
                                        "text/html": {"schema": {"type": "string"}},
                                        "text/markdown": {"schema": {"type": "string"}},
                                        "text/plain": {"schema": {"type": "string"}}}},
                    **_errors(400, 401, 413, 415, 500, 503),
                },
            }},
            "/api/v1/annotate": {"post": {
                "summary": "A reviewed copy of a .docx with the findings as Word comments",
                "requestBody": _upload_form({
                    "author": {"type": "string", "default": "clause-lint"},
                    "initials": {"type": "string", "default": "CL"},
                }),
                "responses": {
                    "200": {"description": "The annotated .docx (header X-Clause-Lint-Comments: number of comments).",
                            "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                                        {"schema": {"type": "string", "format": "binary"}}}},
                    **_errors(400, 401, 413, 415, 500, 503),
                },
            }},
            "/api/v1/diff": {"post": {
                "summary": "What a change did to a document's protections: exactly what `clause-lint diff OLD NEW --format FMT` prints",
                "requestBody": _diff_form(),
                "responses": {
                    "200": {"description": "The diff report (regressions, improvements, unchanged rules).",
                            "content": {t: {"schema": {"type": "string"}} for t in
                                        ("application/json", "text/markdown", "text/plain", "application/sarif+json")}},
                    **_errors(400, 401, 413, 415, 500, 503),
                },
            }},
            "/api/v1/review": {"post": {
                "summary": "Everything the web page shows for one document",
                "description": "The check report, the document's text and blocks (offsets as in the report's evidence), "
                               "the rules' model clauses and the JSON, SARIF and HTML renderings.",
                "requestBody": _upload_form({}),
                "responses": {
                    "200": {"description": "Review", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["report", "document", "rules", "renderings"],
                        "properties": {
                            "report": {"$ref": "#/components/schemas/Report"},
                            "document": {"type": "object", "properties": {
                                "format": {"type": "string"}, "text": {"type": "string"},
                                "blocks": {"type": "array", "items": {"type": "object"}}}},
                            "rules": {"type": "object"},
                            "renderings": {"type": "object", "properties": {
                                "json": {"type": "string"}, "sarif": {"type": "string"}, "html": {"type": "string"}}},
                        }}}}},
                    **_errors(400, 401, 413, 415, 500, 503),
                },
            }},
            "/api/v1/packs": {"get": {
                "summary": "The rule packs this server has loaded, with their rules",
                "responses": {"200": {"description": "Packs", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"}, "title": {"type": "string"},
                        "default": {"type": "boolean"}, "rules": {"type": "array", "items": {"type": "object"}}}}}}}},
                    **_errors(401)},
            }},
            "/api/v1/rules/{rule_id}": {"get": {
                "summary": "One rule: what it requires, why, severities, messages and model clauses",
                "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "Rule id (SFP101) or name (no-lethal-use)."}],
                "responses": {"200": {"description": "Rule", "content": {"application/json": {"schema": {"type": "object"}}}},
                              **_errors(401, 404)},
            }},
            "/healthz": {"get": {
                "summary": "Liveness and load",
                "responses": {"200": {"description": "Up", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "status": {"type": "string"}, "version": {"type": "string"}, "packs": {"type": "array", "items": {"type": "string"}},
                    "workers": {"type": "integer"}, "in_flight": {"type": "integer"}, "capacity": {"type": "integer"}}}}}},
                    **_errors(401)},
            }},
            "/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}},
                              **_errors(401)},
            }},
            "/": {"get": {
                "summary": "The web page",
                "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}},
                              **_errors(401)},
            }},
        },
    }
