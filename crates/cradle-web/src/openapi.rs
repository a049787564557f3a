//! The OpenAPI 3.1 description of `/api/v1`. The operations and their types are generated
//! from the API's own declarations (`api/<area>.rs`, utoipa); this module adds what holds for
//! every operation (the refusals each may give, closed objects, no NUL in text), the frame
//! (sign-in, problem details) and the one schema that describes a published file format
//! rather than a Rust type (a questionnaire definition). The web tests check that it lists
//! every operation routed; schemathesis holds the server to it.

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

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The document, written once.
pub fn document_value() -> &'static Value {
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(build)
}

pub fn build() -> Value {
    let mut document = frame();
    if let (Some(schemas), Value::Object(more)) = (
        document["components"]["schemas"].as_object_mut(),
        instrument_schemas(),
    ) {
        schemas.extend(more);
    }
    with_generated(&mut document);
    document_refusals_of_every_request(&mut document);
    close_every_object_inside_a_body(&mut document);
    no_nul_in_any_text(&mut document);
    document
}

/// The operations and schemas generated from the handlers and the API's types
/// (`api/`): every operation, each refusal answered as a problem, and the schemas of their
/// types.
fn with_generated(document: &mut Value) {
    let Ok(mut generated) = serde_json::to_value(crate::api::generated_document()) else {
        return;
    };
    for operation in generated["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        refusals_as_problems(operation);
    }
    document["paths"] = generated["paths"].take();
    if let (Some(schemas), Some(more)) = (
        document["components"]["schemas"].as_object_mut(),
        generated["components"]["schemas"].as_object(),
    ) {
        schemas.extend(more.clone());
    }
}

/// Every operation may be refused to someone not signed in or not allowed; each refusal's
/// body is a problem.
fn refusals_as_problems(operation: &mut Value) {
    // An operation open to anyone (this document) refuses no one.
    let open_to_anyone = operation.get("security") == Some(&json!([{}]));
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let (false, Value::Object(common)) = (open_to_anyone, problem_responses(&[])) {
        for (code, response) in common {
            responses.entry(code).or_insert(response);
        }
    }
    for (code, response) in responses.iter_mut() {
        if code.starts_with('4') || code.starts_with('5') {
            response["content"] =
                json!({"application/problem+json": {"schema": reference("Problem")}});
        }
    }
    // The document says what each operation is for; the handler's name is not part of it.
    if let Some(map) = operation.as_object_mut() {
        map.remove("operationId");
    }
}

/// The server refuses a field the document does not list, at any depth (`json.rs`), so
/// every object inside a request body says so. A body's own top level is closed by
/// `document_refusals_of_every_request` (with `unevaluatedProperties`, as a schema may be one
/// part of several bodies); objects within it get `additionalProperties: false`. The
/// branches of a `oneOf` written out only add rules to the object around them, so they
/// stay open.
fn close_every_object_inside_a_body(document: &mut Value) {
    let mut bodies = Vec::new();
    for item in document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
            {
                let parts: Vec<&Value> = match schema.get("allOf").and_then(Value::as_array) {
                    Some(parts) => parts.iter().collect(),
                    None => vec![schema],
                };
                bodies.extend(parts.into_iter().filter_map(component_name));
            }
        }
    }
    // Components that are a whole body (or a part of one): close what is inside them,
    // and note the components they hold as inner values.
    let mut to_visit: Vec<String> = bodies.clone();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = to_visit.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let is_body = bodies.contains(&name);
        if let Some(schema) = document["components"]["schemas"].get_mut(&name) {
            let mut found = Vec::new();
            close_inside(schema, !is_body, &mut found);
            to_visit.extend(found);
        }
    }
    for item in document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            if let Some(schema) =
                operation.pointer_mut("/requestBody/content/application~1json/schema")
            {
                let mut found = Vec::new();
                close_inside(schema, false, &mut found);
            }
        }
    }
}

fn component_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string)
}

/// Closes `schema` (when `close_this`) and every object within it; the names of components
/// it refers to for an inner value go in `found`.
fn close_inside(schema: &mut Value, close_this: bool, found: &mut Vec<String>) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(name) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        if close_this {
            found.push(name.to_string());
        }
        return;
    }
    if close_this
        && map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !map.contains_key("unevaluatedProperties")
    {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for field in properties.values_mut() {
            close_inside(field, true, found);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = map.get_mut(key).filter(|v| v.is_object()) {
            close_inside(inner, true, found);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in map
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            // A branch written out adds its fields to the object around it, so it stays
            // open and what is inside it is closed; a branch that names a schema (a value
            // that may be null: `oneOf` of the schema and null) is the whole value, closed
            // like any other.
            let whole_value = key != "allOf" && branch.get("$ref").is_some();
            close_inside(branch, close_this && whole_value, found);
        }
    }
}

/// Whether a schema's `type` (one name or a list of them) allows `kind`.
pub(crate) fn allows_type(schema: &serde_json::Map<String, Value>, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(named)) => named == kind,
        Some(Value::Array(named)) => named.iter().any(|k| k == kind),
        _ => false,
    }
}

/// No text Cradle keeps may hold a NUL character (PostgreSQL cannot store one; Cradle refuses
/// it everywhere alike), so every free-text string says so. Strings already held to a
/// pattern, a format or a list of values need not.
fn no_nul_in_any_text(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_text = allows_type(map, "string");
            let held = ["pattern", "format", "enum", "const"]
                .iter()
                .any(|key| map.contains_key(*key));
            if is_text && !held {
                map.insert("pattern".into(), Value::String("^[^\\u0000]*$".into()));
            }
            // The names in a free-form object or a map are text Cradle keeps too.
            let is_open_object = allows_type(map, "object")
                && match map.get("additionalProperties") {
                    Some(Value::Bool(false)) => false,
                    Some(_) => true,
                    None => !map.contains_key("properties"),
                };
            if is_open_object && !map.contains_key("propertyNames") {
                map.insert("propertyNames".into(), json!({"pattern": "^[^\\u0000]*$"}));
            }
            map.values_mut().for_each(no_nul_in_any_text);
        }
        Value::Array(items) => items.iter_mut().for_each(no_nul_in_any_text),
        _ => {}
    }
}

/// Every operation that takes a body can be refused as a bad request (not JSON, a field of
/// the wrong type or one it does not know) or as too large; every one with query parameters
/// or an id in its path, as a bad request too. Said here once, for all of them.
fn document_refusals_of_every_request(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    // Every body is refused with a field it does not take: said on the body itself (a
    // schema may be part of several bodies, so its own definition stays open).
    for body in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| {
            operation
                .pointer_mut("/requestBody/content/application~1json/schema")
                .and_then(Value::as_object_mut)
        })
    {
        if body.contains_key("$ref") || body.contains_key("allOf") {
            body.insert("unevaluatedProperties".into(), Value::Bool(false));
        } else if body.contains_key("properties") {
            body.entry("additionalProperties")
                .or_insert(Value::Bool(false));
        }
    }
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut)
    {
        let takes_body = operation.contains_key("requestBody");
        let takes_input = takes_body || operation.contains_key("parameters");
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if takes_input {
            responses.entry("400").or_insert_with(|| {
                problem("The request could not be understood (a body that is not JSON, a field of the wrong type or one the operation does not take, or a parameter out of range); nothing was saved")
            });
        }
        if takes_body {
            responses
                .entry("413")
                .or_insert_with(|| problem("The body is too large; nothing was saved"));
            responses.entry("422").or_insert_with(|| {
                problem(
                    "A value in the body does not fit what the operation takes; nothing was saved",
                )
            });
        }
        if takes_input {
            responses.entry("404").or_insert_with(|| {
                problem("There is no such record (or no record with an id in that form)")
            });
        }
    }
}

/// A questionnaire definition file as a team imports it (docs/instruments/README.md), with
/// the FHIR Questionnaire inside it.
fn instrument_schemas() -> Value {
    // Whole numbers as exact as JSON carries them; counts that cannot be negative.
    let whole = json!({"type": "integer", "minimum": -9_007_199_254_740_991_i64, "maximum": 9_007_199_254_740_991_i64});
    let count = json!({"type": ["integer", "null"], "minimum": 0, "maximum": 4_294_967_295_u64});
    let text = json!({"type": "string"});
    let texts = json!({"type": "array", "items": {"type": "string"}});
    let band = json!({"type": "object", "required": ["from", "to", "label"], "properties": {
        "from": whole, "to": whole, "label": text
    }});
    let reading = json!({"type": "object", "required": ["bands"], "properties": {
        "cut_off": {"type": ["integer", "null"], "minimum": -9_007_199_254_740_991_i64, "maximum": 9_007_199_254_740_991_i64},
        "bands": {"type": "array", "items": band}
    }});
    let population = json!({"type": "object", "required": ["code", "label", "readings"], "properties": {
        "code": text, "label": text, "min_age_years": count, "relationships": texts,
        "sex": {"type": ["string", "null"]},
        "readings": {"type": "object", "description": "How each score is read, by the score's id", "additionalProperties": reading}
    }});
    let score = json!({"type": "object", "required": ["id", "label", "questions"], "properties": {
        "id": text, "label": text, "questions": texts, "reversed": texts, "prorate_from": count
    }});
    let alert = json!({"type": "object", "required": ["question", "above", "message"], "properties": {
        "question": text, "above": whole, "message": text
    }});
    let questionnaire = json!({
        "type": "object",
        "description": "A FHIR R4 Questionnaire resource; each answer option's score as the ordinalValue extension. Other FHIR elements are allowed; Cradle does not read them.",
        "required": ["resourceType"],
        "properties": {
            "resourceType": {"const": "Questionnaire"},
            "url": text, "version": text, "name": text, "title": text,
            "item": {"type": "array", "items": reference("QuestionnaireItem")}
        },
        "additionalProperties": reference("FhirValue")
    });
    let extension = json!({"type": "object", "required": ["url"], "properties": {
        "url": text,
        "valueDecimal": {"type": "number", "minimum": -1.0e15, "maximum": 1.0e15},
        "valueInteger": whole
    }, "additionalProperties": reference("FhirValue")});
    let coding = json!({"type": "object", "properties": {
        "system": text, "code": text, "display": text,
        "extension": {"type": "array", "items": extension}
    }, "additionalProperties": reference("FhirValue")});
    let option = json!({"type": "object", "properties": {"valueCoding": coding}, "additionalProperties": reference("FhirValue")});
    json!({
        "InstrumentDefinition": {"type": "object", "description": "A questionnaire definition file, as docs/instruments/README.md describes it", "required": ["format", "questionnaire", "scores", "licence", "citation", "populations"], "properties": {
            "format": {"type": "string", "enum": ["cradle-instrument/1"]},
            "questionnaire": questionnaire,
            "scores": {"type": "array", "items": score},
            "alerts": {"type": "array", "items": alert},
            "licence": {"type": "object", "required": ["name", "redistribution_allowed", "notice"], "properties": {
                "name": text, "redistribution_allowed": {"type": "boolean"}, "notice": text
            }},
            "citation": text,
            "populations": {"type": "array", "items": population}
        }},
        "QuestionnaireItem": {"type": "object", "description": "A FHIR R4 Questionnaire item: a question (choice or coding), a group of items, or display text", "properties": {
            "linkId": text, "text": text, "type": text, "required": {"type": "boolean"},
            "answerOption": {"type": "array", "items": option},
            "item": {"type": "array", "items": reference("QuestionnaireItem")}
        }, "additionalProperties": reference("FhirValue")},
        "FhirValue": {"description": "Any JSON value without a NUL character: a FHIR element Cradle does not read", "anyOf": [
            {"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
            {"type": "array", "items": reference("FhirValue")},
            {"type": "object", "additionalProperties": reference("FhirValue")}
        ]}
    })
}

/// What the document says beyond its operations: who it is for, how a caller signs in, and
/// the problem details every refusal carries.
fn frame() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Cradle API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Cradle's JSON API. Authenticate with the session cookie (state-changing requests must then send the session's CSRF token, from GET /api/v1/me, in the X-CSRF-Token header) or with a bearer token for a service account. Dates are ISO 8601 (2026-11-26). Errors are RFC 9457 problem details."
        },
        "servers": [{"url": "/"}],
        "security": [{"session": []}, {"bearer": []}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "cradle_session"},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "instance": {"type": "string", "description": "urn:cradle:request:<id>: the request, by the id in the server's log and the X-Request-Id header"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }}
            }
        }
    })
}

/// This document
///
/// The OpenAPI description of every operation; no sign-in needed to read it.
#[utoipa::path(get, path = "/openapi.json", tag = "Accounts and teams", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub async fn document() -> Response {
    Json(document_value()).into_response()
}
