//! The OpenAPI 3.1 description of `/api/v1`, written out by hand so it says exactly what the
//! handlers do. `tests` (in the web test suite) check that it lists every operation routed.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

fn problem_responses(extra: &[(&str, &str)]) -> Value {
    let mut responses = serde_json::Map::new();
    for (code, description) in [
        (
            "401",
            "Not signed in, session ended, or bearer token not recognised",
        ),
        (
            "403",
            "Signed in but not allowed (role, team or missing CSRF header)",
        ),
    ]
    .iter()
    .chain(extra.iter())
    {
        responses.insert(
            (*code).to_string(),
            json!({
                "description": description,
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            }),
        );
    }
    Value::Object(responses)
}

fn operation(
    summary: &str,
    description: &str,
    ok_code: &str,
    ok: Value,
    errors: &[(&str, &str)],
) -> Value {
    let mut responses = problem_responses(errors);
    if let Some(map) = responses.as_object_mut() {
        map.insert(ok_code.to_string(), ok);
    }
    json!({
        "summary": summary,
        "description": description,
        "responses": responses,
    })
}

fn json_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn id_parameter(what: &str) -> Value {
    json!([{"name": "id", "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}])
}

pub fn build() -> Value {
    let mut create_family = operation(
        "Add a family",
        "Creates a family record in one of the caller's teams. Validation problems are answered with 422 and an `errors` list naming each field.",
        "201",
        ok_json("The family as stored", reference("Family")),
        &[("422", "The family has problems; nothing was saved"), ("400", "The body is not valid JSON for this operation"), ("413", "The body is too large")],
    );
    create_family["requestBody"] = json_body("NewFamily");
    let mut break_glass = operation(
        "Emergency (break-glass) access to another team's family",
        "Grants the caller time-limited access to a family cared for by another team. A reason of at least 15 characters is required; the grant and every later read carry it in the audit trail.",
        "201",
        ok_json("Access granted", json!({"type": "object"})),
        &[("404", "No such family"), ("422", "The reason is missing or too short")],
    );
    break_glass["requestBody"] = json_body("BreakGlass");
    break_glass["parameters"] = id_parameter("The family's id");
    let mut read_family = operation(
        "Read a family record",
        "Audited: every read writes an audit record in the same transaction.",
        "200",
        ok_json(
            "The family",
            json!({"type": "object", "properties": {"family": reference("Family"), "break_glass_reason": {"type": ["string", "null"]}}}),
        ),
        &[("404", "No such family")],
    );
    read_family["parameters"] = id_parameter("The family's id");
    let mut family_audit = operation(
        "Who has accessed a family record",
        "For team managers (their own teams' families) and administrators. Newest first.",
        "200",
        ok_json(
            "Audit records",
            json!({"type": "array", "items": reference("AuditRecord")}),
        ),
        &[("404", "No such family")],
    );
    family_audit["parameters"] = id_parameter("The family's id");
    let mut create_staff = operation(
        "Add a staff account",
        "Administrators only. A service account (`service_account: true`) has no password and uses bearer tokens issued with `cradle user token`.",
        "201",
        ok_json("The account", reference("Staff")),
        &[("422", "The account has problems; nothing was saved")],
    );
    create_staff["requestBody"] = json_body("NewStaff");
    let mut disable = operation(
        "Disable a staff account",
        "Ends every session of the account at once.",
        "204",
        json!({"description": "Disabled"}),
        &[("404", "No such account")],
    );
    disable["parameters"] = id_parameter("The account's id");
    let mut enable = operation(
        "Enable a staff account",
        "Lets the account sign in again.",
        "204",
        json!({"description": "Enabled"}),
        &[("404", "No such account")],
    );
    enable["parameters"] = id_parameter("The account's id");
    let mut set_teams = operation(
        "Set a staff member's teams",
        "Administrators only. Replaces the account's teams; clinical staff then see only those teams' families. Audited as a permission change.",
        "204",
        json!({"description": "Teams set"}),
        &[("404", "No such account"), ("422", "A team does not exist")],
    );
    set_teams["parameters"] = id_parameter("The account's id");
    set_teams["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["teams"], "properties": {"teams": {"type": "array", "items": {"type": "string", "format": "uuid"}}}}}}});
    let mut list_families = operation(
        "List the caller's teams' families",
        "25 a page, ordered by the mother's name. Audited with the ids shown.",
        "200",
        ok_json("A page of families", reference("FamilyList")),
        &[],
    );
    list_families["parameters"] = json!([
        {"name": "q", "in": "query", "required": false, "description": "Start of the mother's name, or an NHS number", "schema": {"type": "string"}},
        {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}}
    ]);

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Cradle API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Cradle's JSON API. Authenticate with the session cookie (state-changing requests must then send the session's CSRF token, from GET /api/v1/me, in the X-CSRF-Token header) or with a bearer token for a service account. Errors are RFC 9457 problem details."
        },
        "servers": [{"url": "/"}],
        "security": [{"session": []}, {"bearer": []}],
        "paths": {
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "The OpenAPI document"}}}},
            "/api/v1/me": {"get": operation("Who am I", "The caller's account, role, teams and CSRF token.", "200", ok_json("The caller", json!({"type": "object"})), &[])},
            "/api/v1/teams": {"get": operation("List teams", "Every team's id and name.", "200", ok_json("Teams", json!({"type": "array", "items": reference("Team")})), &[])},
            "/api/v1/families": {"get": list_families, "post": create_family},
            "/api/v1/families/{id}": {"get": read_family},
            "/api/v1/families/{id}/break-glass": {"post": break_glass},
            "/api/v1/families/{id}/audit": {"get": family_audit},
            "/api/v1/staff": {
                "get": operation("List staff accounts", "Administrators only.", "200", ok_json("Accounts", json!({"type": "array", "items": reference("Staff")})), &[]),
                "post": create_staff
            },
            "/api/v1/staff/{id}/disable": {"post": disable},
            "/api/v1/staff/{id}/enable": {"post": enable},
            "/api/v1/staff/{id}/teams": {"post": set_teams}
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "cradle_session"},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }},
                "Team": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}}},
                "Staff": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "username": {"type": "string"}, "display_name": {"type": "string"},
                    "role": {"enum": ["clinician", "nursery_nurse", "mbu_staff", "team_manager", "administrator"]},
                    "teams": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                    "disabled": {"type": "boolean"}, "service_account": {"type": "boolean"}
                }},
                "NewStaff": {"type": "object", "required": ["username", "display_name", "role"], "properties": {
                    "username": {"type": "string"}, "display_name": {"type": "string"}, "role": {"type": "string"},
                    "password": {"type": "string", "minLength": 12}, "teams": {"type": "array", "items": {"type": "string"}},
                    "service_account": {"type": "boolean"}
                }},
                "Family": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "team_id": {"type": "string", "format": "uuid"},
                    "mother_name": {"type": "string"}, "mother_nhs_number": {"type": ["string", "null"]},
                    "stage": {"enum": ["preconception", "antenatal", "postnatal"]},
                    "baby_name": {"type": ["string", "null"]},
                    "baby_date_of_birth": {"type": ["string", "null"], "format": "date"},
                    "due_date": {"type": ["string", "null"], "format": "date"},
                    "created_at_millis": {"type": "integer"}
                }},
                "FamilySummary": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "team_id": {"type": "string", "format": "uuid"},
                    "mother_name": {"type": "string"}, "baby_name": {"type": ["string", "null"]}, "stage": {"type": "string"}
                }},
                "FamilyList": {"type": "object", "properties": {
                    "families": {"type": "array", "items": reference("FamilySummary")},
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "page_size": {"type": "integer"}
                }},
                "NewFamily": {"type": "object", "additionalProperties": false, "required": ["team_id", "mother_name", "stage"], "properties": {
                    "team_id": {"type": "string", "format": "uuid"}, "mother_name": {"type": "string", "maxLength": 200},
                    "mother_nhs_number": {"type": ["string", "null"], "description": "10 digits, modulus 11 checked"},
                    "stage": {"enum": ["preconception", "antenatal", "postnatal"]},
                    "baby_name": {"type": ["string", "null"]},
                    "baby_date_of_birth": {"type": ["string", "null"], "format": "date", "description": "Required when postnatal"},
                    "due_date": {"type": ["string", "null"], "format": "date", "description": "Required when antenatal"}
                }},
                "BreakGlass": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 15, "maxLength": 1000}}},
                "AuditRecord": {"type": "object", "properties": {
                    "seq": {"type": "integer"}, "at": {"type": "integer", "description": "Unix seconds"},
                    "actor_username": {"type": "string"}, "actor_role": {"type": ["string", "null"]},
                    "action": {"type": "string"}, "outcome": {"enum": ["allowed", "denied"]},
                    "source": {"type": "string"}, "break_glass_reason": {"type": ["string", "null"]}
                }}
            }
        }
    })
}

pub async fn document() -> Response {
    Json(build()).into_response()
}
