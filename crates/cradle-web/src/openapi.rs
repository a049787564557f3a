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

/// A correction: the record's fields as they should read, plus the version replaced and why.
fn correction_body(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {"allOf": [
        reference(schema),
        reference("Correction")
    ]}}}})
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The version of a record a change replaces: a record's first version is 1, and the
/// largest is what JSON carries exactly.
fn version_replaced(description: &str) -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_991_i64, "description": description})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn id_parameter(what: &str) -> Value {
    json!([{"name": "id", "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}])
}

pub fn build() -> Value {
    let mut document = body();
    for more in [
        relationship_record_schemas(),
        care_plan_schemas(),
        group_schemas(),
        partner_schemas(),
        instrument_schemas(),
    ] {
        if let (Some(schemas), Value::Object(more)) =
            (document["components"]["schemas"].as_object_mut(), more)
        {
            schemas.extend(more);
        }
    }
    for more in [care_plan_paths(), partner_paths()] {
        if let (Some(paths), Value::Object(more)) = (document["paths"].as_object_mut(), more) {
            paths.extend(more);
        }
    }
    with_interpreter_answers(&mut document);
    document_refusals_of_every_request(&mut document);
    close_every_object_inside_a_body(&mut document);
    no_nul_in_any_text(&mut document);
    document
}

/// Every contact with a family member records whether a professional interpreter was used,
/// and must when someone there needs one (H-023): the same three answers on each.
fn with_interpreter_answers(document: &mut Value) {
    let answers = json!({
        "interpreter": {"enum": ["yes", "no", ""], "description": "Whether a professional interpreter was used; required (422 otherwise) when someone at the contact needs one"},
        "interpreter_language": {"type": "string", "maxLength": 100, "description": "With yes: the language the interpreter used"},
        "interpreter_how": {"enum": ["in_person", "telephone", "video", ""], "description": "With yes: how the interpreter took part"}
    });
    let Value::Object(answers) = answers else {
        return;
    };
    let contacts = [
        "/components/schemas/SessionInput",
        "/components/schemas/ObservationInput",
        "/components/schemas/ConversationInput",
        "/components/schemas/PartnerAssessmentInput",
        "/components/schemas/QuestionnaireResponseInput",
        "/components/schemas/PathwayStepInput",
        "/paths/~1api~1v1~1families~1{id}~1enquiries/post/requestBody/content/application~1json/schema",
    ];
    for pointer in contacts {
        if let Some(properties) = document
            .pointer_mut(pointer)
            .and_then(|schema| schema.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            properties.extend(answers.clone());
        }
    }
}

/// The server refuses a field the document does not list, at any depth (`json.rs`), so
/// every object inside a request body says so. A body's own top level is closed by
/// `document_refusals_of_every_request` (with `unevaluatedProperties`, as a schema may be one
/// part of several bodies); objects within it get `additionalProperties: false`. The
/// branches of a `oneOf` only add rules to the object around them, so they stay open.
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
            // A branch's own fields add to the object around it; what is inside is closed.
            close_inside(branch, false, found);
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
        }
        if takes_input {
            responses.entry("404").or_insert_with(|| {
                problem("There is no such record (or no record with an id in that form)")
            });
        }
    }
}

/// A change operation: its summary, description, success and problems, and its body's schema.
fn changing(
    summary: &str,
    description: &str,
    code: &str,
    ok: Value,
    body: &str,
    errors: &[(&str, &str)],
) -> Value {
    let mut op = operation(summary, description, code, ok, errors);
    op["requestBody"] = json_body(body);
    op
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

/// The partner pathway's assessment, and a team's questionnaires and pathway choice.
fn partner_paths() -> Value {
    let person_path = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "person", "in": "path", "required": true, "description": "The family member's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut assessment = changing(
        "Record a family member's own assessment",
        "For someone who has accepted the offer of an assessment. `sections` by name (`wellbeing` and `wishes` required; `history`, `support`, `pressures`, `relationship_with_baby`), `risk` (with `risk_detail` unless none_identified), `outcome` (with `outcome_detail` unless no_further_action or the package names the support), `package`: ids of the team's current catalogue interventions offered (each recorded as offered), `conversations`: ids of relationship conversations the person took part in, `given`: information topics and local services. Records the pathway's assessed step, the assessment and the offers together, or nothing. The assessment is the person's own: it never appears in another family member's printout or export.",
        "201",
        ok_json("The assessment", reference("PartnerAssessment")),
        "PartnerAssessmentInput",
        &[("404", "No such family or person"), ("409", "Someone else recorded a pathway step first"), ("422", "The assessment has problems, or the person has not accepted an assessment; nothing was saved")],
    );
    assessment["parameters"] = person_path;
    let roles_ok = ok_json(
        "Who else the team offers the pathway to",
        reference("PathwayRoles"),
    );
    let mut read_roles = operation(
        "Who a team offers the partner pathway to",
        "Team managers, for their own teams: the relationships beyond partners, fathers and co-parents (always offered) whose family members the team also offers the pathway.",
        "200",
        roles_ok.clone(),
        &[("404", "No such team")],
    );
    read_roles["parameters"] = id_parameter("The team's id");
    let mut save_roles = changing(
        "Change who a team offers the partner pathway to",
        "Team managers: `pathway_roles`, relationship codes (grandparent, sibling, other_relative, friend, foster_carer, other). Partners, fathers and co-parents are always offered it. People already on the pathway stay on it.",
        "200",
        roles_ok,
        "PathwayRoles",
        &[("404", "No such team"), ("422", "A code that is not one of the choices")],
    );
    save_roles["parameters"] = id_parameter("The team's id");
    let mut list = operation(
        "A team's questionnaires",
        "Team managers, for their own teams: those shipped with Cradle and the team's imports, current and retired, each with its definition as loaded.",
        "200",
        ok_json("Questionnaires", json!({"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "url": {"type": "string"}, "version": {"type": "string"},
            "current": {"type": "boolean"}, "imported": {"type": ["object", "null"]}
        }}})),
        &[("404", "No such team")],
    );
    list["parameters"] = id_parameter("The team's id");
    let mut import = changing(
        "Import a questionnaire definition",
        "Team managers: the request body is the service's own definition file (format in docs/instruments/README.md), for an instrument Cradle may not ship. Every fault is named (`errors`, one each). Refused: a questionnaire shipped with Cradle, a version already imported, a name another current questionnaire of the team has. A new version of one already imported replaces it for new responses.",
        "201",
        ok_json("What was imported", json!({"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "url": {"type": "string"}, "version": {"type": "string"}, "name": {"type": "string"}
        }})),
        "InstrumentDefinition",
        &[("404", "No such team"), ("422", "The definition has faults, or is refused; nothing was saved")],
    );
    import["parameters"] = id_parameter("The team's id");
    let mut retire = operation(
        "Stop offering an imported questionnaire",
        "Team managers: no new responses use it; those recorded keep it. No body.",
        "204",
        json!({"description": "Stopped"}),
        &[("404", "No such team, or not a current import of the team")],
    );
    retire["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The team's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "definition", "in": "path", "required": true, "description": "The imported definition's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    json!({
        "/api/v1/families/{id}/people/{person}/assessments": {"post": assessment},
        "/api/v1/teams/{id}/pathway-roles": {"get": read_roles, "post": save_roles},
        "/api/v1/teams/{id}/questionnaires": {"get": list, "post": import},
        "/api/v1/teams/{id}/questionnaires/{definition}/retire": {"post": retire}
    })
}

/// The schemas of the partner assessment and a team's questionnaires.
fn partner_schemas() -> Value {
    let text = json!({"type": "string", "maxLength": 10000});
    let ids = json!({"type": "array", "items": {"type": "string", "format": "uuid"}});
    json!({
        "InformationGiven": {"type": "object", "required": ["topics", "services"], "additionalProperties": false, "properties": {
            "topics": {"type": "array", "items": {"type": "string", "enum": ["partners_mental_health", "team_offer", "getting_to_know_baby", "looking_after_yourself", "peer_support", "urgent_help"]}},
            "services": {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 20, "description": "Local services given: name and how to reach them"}
        }},
        "PartnerAssessmentInput": {"type": "object", "required": ["assessed_on", "sections", "risk", "outcome"], "properties": {
            "assessed_on": {"type": "string", "format": "date"},
            "sections": {"type": "object", "properties": {
                "wellbeing": text.clone(), "history": text.clone(), "support": text.clone(),
                "pressures": text.clone(), "relationship_with_baby": text.clone(), "wishes": text.clone()
            }},
            "conversations": ids.clone(),
            "risk": {"type": "string", "enum": ["none_identified", "safety_plan", "urgent_action"]},
            "risk_detail": text.clone(),
            "package": ids,
            "outcome": {"type": "string", "enum": ["no_further_action", "signposted", "support_offered", "referred_on"]},
            "outcome_detail": text,
            "given": reference("InformationGiven")
        }},
        "PartnerAssessment": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "person_id": {"type": "string", "format": "uuid"},
            "assessed_on": {"type": "string", "format": "date"},
            "sections": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}},
            "conversations": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            "risk": {"type": "string"}, "risk_detail": {"type": "string"},
            "package": {"type": "array", "items": {"type": "string"}, "description": "Names of the interventions offered"},
            "outcome": {"type": "string"}, "outcome_detail": {"type": "string"},
            "recorded_by_name": {"type": "string"}, "recorded_at_millis": {"type": "integer"}
        }},
        "PathwayRoles": {"type": "object", "required": ["pathway_roles"], "properties": {
            "pathway_roles": {"type": "array", "items": {"type": "string", "enum": ["grandparent", "sibling", "other_relative", "friend", "foster_carer", "other"]}}
        }}
    })
}

/// The care plan operations: agreeing a plan, goals, sessions, reviews, ending it, and the
/// team's setting for when reviews fall due.
fn care_plan_paths() -> Value {
    let plan_path = |what: &str| {
        json!([
            {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
            {"name": "plan", "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}
        ])
    };
    let mut create = changing(
        "Agree a care plan",
        "A family care plan or a nursery nursing plan (`kind`), antenatal or postnatal (`focus`), agreed at assessment on the date given (not before the referral, not in the future). A nursery nursing plan needs its `assessment` and `planned_sessions` (1 to 52); `after_mbu` \"yes\" marks support after a Mother and Baby Unit stay. Goals are added next.",
        "201",
        ok_json("The plan", reference("CarePlan")),
        "PlanInput",
        &[("404", "No such family"), ("422", "The plan has problems; nothing was saved")],
    );
    create["parameters"] = id_parameter("The family's id");
    let mut goal = changing(
        "Add a goal to a plan",
        "In the family's own words, for one person, a couple (`who`: two members) or the whole family (`who`: [\"family\"]), with its starting Goal-Based Outcomes rating (0 to 10) and who gave it (one of the goal's people; for a whole-family goal, anyone in the family). Nobody marked do not involve can have or rate a goal.",
        "201",
        ok_json("The goal", reference("Goal")),
        "GoalInput",
        &[("404", "No such family or plan"), ("409", "The plan has ended"), ("422", "The goal has problems; nothing was saved")],
    );
    goal["parameters"] = plan_path("The plan's id");
    let mut session = changing(
        "Record a session",
        "Attended, did not attend, or cancelled (only attended sessions count towards a review). Dated on or after the referral and the plan's agreement, not in the future; attendees must be in this family; goals must be in this plan; the next planned contact, if given, after the session.",
        "201",
        ok_json("The session", reference("CareSession")),
        "SessionInput",
        &[("404", "No such family or plan"), ("409", "The plan has ended"), ("422", "The session has problems; nothing was saved")],
    );
    session["parameters"] = plan_path("The plan's id");
    let mut review = changing(
        "Record a review",
        "A rating (0 to 10) for every goal of the plan, each given by one of the goal's people, what changed, and the decision. A review with a goal left unrated is refused. The count of attended sessions towards the next review starts again after the review's date.",
        "201",
        ok_json("The review", reference("Review")),
        "ReviewInput",
        &[("404", "No such family or plan"), ("409", "The plan has ended"), ("422", "The review has problems; nothing was saved")],
    );
    review["parameters"] = plan_path("The plan's id");
    let mut end = changing(
        "End a plan",
        "With the date it ended (not before its last session or review) and a closing summary. The plan stays on the record; nothing more can be added to it.",
        "200",
        ok_json("The plan, ended", reference("CarePlan")),
        "CloseInput",
        &[("404", "No such family or plan"), ("409", "The plan has already ended"), ("422", "The closing has problems; nothing was saved")],
    );
    end["parameters"] = plan_path("The plan's id");
    let settings_ok = ok_json("The team's setting", reference("TeamSettings"));
    let mut read_settings = operation(
        "A team's care plan setting",
        "Team managers, for their own teams: how many attended sessions make a review due.",
        "200",
        settings_ok.clone(),
        &[("404", "No such team")],
    );
    read_settings["parameters"] = id_parameter("The team's id");
    let mut save_settings = changing(
        "Change a team's care plan setting",
        "Team managers, for their own teams: `sessions_before_review`, 1 to 20. Every family of the team follows the new number at once.",
        "200",
        settings_ok,
        "TeamSettings",
        &[("404", "No such team"), ("422", "The number is not from 1 to 20")],
    );
    save_settings["parameters"] = id_parameter("The team's id");
    let intervention_path = |what: &str| {
        json!([
            {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
            {"name": "intervention", "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}
        ])
    };
    let mut offer = changing(
        "Offer an intervention to a family member",
        "From the family's team's catalogue (not a retired entry), to the mother or a person in the family who may be involved, with who delivers it, the date offered (not before the referral) and, optionally, the open care plan it belongs to.",
        "201",
        ok_json("The intervention, offered", reference("PersonIntervention")),
        "OfferInput",
        &[("404", "No such family"), ("422", "The offer has problems; nothing was saved")],
    );
    offer["parameters"] = id_parameter("The family's id");
    let mut step = changing(
        "Record what happened next",
        "Offered is followed by accepted or declined; accepted by started (or declined); started by completed or stopped. Declining and stopping need a reason. The date is not before the last step. 409 if someone else recorded a step first.",
        "200",
        ok_json("The intervention", reference("PersonIntervention")),
        "StepInput",
        &[("404", "No such family or intervention"), ("409", "Changed by someone else first"), ("422", "The step has problems; nothing was saved")],
    );
    step["parameters"] = intervention_path("The family member's intervention's id");
    let mut series = changing(
        "Record a session of a manualised series",
        "Which session of the series (1 to the series' length, each once) and the theme it covered (one of the catalogue's themes when it lists them), once the intervention has started.",
        "200",
        ok_json("The intervention", reference("PersonIntervention")),
        "SeriesInput",
        &[("404", "No such family or intervention"), ("409", "Changed by someone else first"), ("422", "The session has problems; nothing was saved")],
    );
    series["parameters"] = intervention_path("The family member's intervention's id");
    let mut read_catalogue = operation(
        "A team's interventions catalogue",
        "For the team's own staff. Retired entries are included (marked `retired`).",
        "200",
        ok_json(
            "The catalogue",
            json!({"type": "array", "items": reference("CatalogueEntry")}),
        ),
        &[("403", "Not one of the team's staff")],
    );
    read_catalogue["parameters"] = id_parameter("The team's id");
    let mut add_entry = changing(
        "Add an intervention to the team's catalogue",
        "Team managers, for their own teams. Names are unique in a team (ignoring case); only a manualised intervention has a number of sessions and themes.",
        "201",
        ok_json("The entry", reference("CatalogueEntry")),
        "CatalogueInput",
        &[("422", "The entry has problems; nothing was saved")],
    );
    add_entry["parameters"] = id_parameter("The team's id");
    let mut change_entry = changing(
        "Change or retire an intervention in the team's catalogue",
        "Team managers, for their own teams. A retired intervention is no longer offered but stays on the records of families who had it.",
        "200",
        ok_json("The entry", reference("CatalogueEntry")),
        "CatalogueInput",
        &[("404", "No such entry"), ("422", "The entry has problems; nothing was saved")],
    );
    change_entry["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The team's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "entry", "in": "path", "required": true, "description": "The catalogue entry's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let group_path = json!([{"name": "group", "in": "path", "required": true, "description": "The group's id", "schema": {"type": "string", "format": "uuid"}}]);
    let create_group = changing(
        "Set up a group programme",
        "For one of the caller's teams (`team`, needed only by members of several teams): name, what it is for, who runs it, and how many people it can take (1 to 100).",
        "201",
        ok_json("The group", reference("Group")),
        "GroupInput",
        &[("422", "The group has problems; nothing was saved")],
    );
    let mut read_group = operation(
        "A group with its register",
        "For the team's clinical staff. Names everyone enrolled, so the read is audited.",
        "200",
        ok_json(
            "The group, who is enrolled, and every mark",
            reference("GroupRegister"),
        ),
        &[("404", "No such group")],
    );
    read_group["parameters"] = group_path.clone();
    let mut add_session = changing(
        "Add a session to a group",
        "A date within a year of today (one session a day) and an optional topic. 409 if someone else added a session first.",
        "201",
        ok_json("The group", reference("Group")),
        "GroupSessionInput",
        &[("404", "No such group"), ("409", "Changed by someone else first"), ("422", "The session has problems; nothing was saved")],
    );
    add_session["parameters"] = group_path.clone();
    let mut register = changing(
        "Take a session's register",
        "A mark (attended, apologies, did_not_attend) for everyone enrolled, on or after the session's day. Each mark is written to the member's family and shows on its timeline.",
        "200",
        ok_json("The marks", json!({"type": "array", "items": reference("AttendanceMark")})),
        "RegisterInput",
        &[("404", "No such group or session"), ("422", "Someone is unmarked, or the session is still to come; nothing was saved")],
    );
    register["parameters"] = json!([
        {"name": "group", "in": "path", "required": true, "description": "The group's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "session", "in": "path", "required": true, "description": "The session's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut enrol = changing(
        "Enrol a family member in a group",
        "One of the family's team's groups, with a place free; the mother or a person in the family who may be involved; once only.",
        "201",
        ok_json("The enrolment", reference("Enrolment")),
        "EnrolInput",
        &[("404", "No such family"), ("422", "The group is full, or they are already enrolled, or cannot be involved")],
    );
    enrol["parameters"] = id_parameter("The family's id");
    let mut details = changing(
        "Change the mother's details or the referral date",
        "The mother's name, NHS number, date of birth and postcode, and the referral date, as they should read, with `version` (the family's, 409 if it changed first) and `reason`. Checked as when the family was added, and against the record: the mother born before each baby, the referral no later than the first care plan. The earlier version is kept.",
        "200",
        ok_json("The details", reference("MotherDetails")),
        "MotherInput",
        &[("404", "No such family"), ("409", "Changed by someone else first"), ("422", "The details have problems; nothing was saved")],
    );
    details["parameters"] = id_parameter("The family's id");
    let mut pathway = changing(
        "Record a family member's next partner pathway step",
        "`step` is one of identified (with `how`), offered (with `method`), accepted, declined (with `reason` and `ask_again_from`, after which the offer may be made again), assessed (with `outcome` and, unless no_further_action, `detail`: where to, or what support) or followed_up (with `note`), dated `on` (not in the future, not before the last step, and not before the family's referral unless `before_referral_reason` says why). An offer answered there and then carries `answer` (a step object: accepted, or declined with its reason and date) and both are recorded together, or neither. Steps come in that order; nobody marked do not contact or do not involve is put on the pathway. 409 if someone else recorded a step for the person first.",
        "201",
        ok_json("The person's pathway with the new step", reference("Pathway")),
        "PathwayStepInput",
        &[("404", "No such family or person"), ("409", "Someone else recorded a step first"), ("422", "The step is out of order, or has problems; nothing was saved")],
    );
    pathway["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "person", "in": "path", "required": true, "description": "The family member's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut questionnaire = changing(
        "Record a questionnaire a family member completed",
        "`instrument` by its short name (see `GET /api/v1/questionnaires`), `population` (required: one of the instrument's population codes that fits the person as recorded, by relationship to the baby, sex and age, or `none` when none fits: the score then carries a warning and is read against no cut-off; one that does not fit is refused with the reason), `completed_on` and `answers` (`question`: the item's linkId, `code`: the answer option's code). With someone who needs an interpreter, `interpreter` (yes or no), `interpreter_language` and `interpreter_how` (in_person, telephone, video) are required. Unknown questions or answer codes, or a question answered twice, are refused by name; an incomplete form is kept without a score unless the instrument allows pro-rating. Any answer that meets a safety alert's rule (or a watched question left unanswered) raises an alert that stays on the family until an action is recorded. Nobody marked do not contact or do not involve is assessed.",
        "201",
        ok_json("The response with its scores and alerts", reference("QuestionnaireResponse")),
        "QuestionnaireResponseInput",
        &[("404", "No such family or person"), ("422", "The response has problems; nothing was saved")],
    );
    questionnaire["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "person", "in": "path", "required": true, "description": "The family member's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut alert_action = changing(
        "Record what was done about a questionnaire's safety alert",
        "`action`: the risk assessment made and its outcome (required, up to 2,000 characters). 409 if there is no alert waiting, or someone recorded an action first.",
        "200",
        ok_json("The response with the action", reference("QuestionnaireResponse")),
        "AlertActionInput",
        &[("404", "No such family or response"), ("409", "No alert waiting, or acted on first"), ("422", "No action given")],
    );
    alert_action["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "response", "in": "path", "required": true, "description": "The response's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    json!({
        "/api/v1/families/{id}/details": {"post": details},
        "/api/v1/families/{id}/people/{person}/pathway": {"post": pathway},
        "/api/v1/questionnaires": {"get": operation("The questionnaires Cradle can score", "Each instrument's definition as Cradle loaded it: questions and answer options with their scores, how its scores are made, its safety alerts, licence, citation, and the populations it is validated for with their bands and cut-offs.", "200", ok_json("Instruments", json!({"type": "array", "items": {"type": "object", "properties": {
            "url": {"type": "string"}, "version": {"type": "string"}, "name": {"type": "string"}, "title": {"type": "string"},
            "questions": {"type": "array", "items": {"type": "object"}}, "scores": {"type": "array", "items": {"type": "object"}},
            "alerts": {"type": "array", "items": {"type": "object"}}, "licence": {"type": "object"}, "citation": {"type": "string"},
            "populations": {"type": "array", "items": {"type": "object"}}
        }}})), &[])},
        "/api/v1/families/{id}/people/{person}/questionnaires": {"post": questionnaire},
        "/api/v1/families/{id}/questionnaires/{response}/alert-action": {"post": alert_action},
        "/api/v1/groups": {
            "get": operation("The groups your teams run", "Newest first. No members are listed here.", "200", ok_json("Groups", json!({"type": "array", "items": reference("Group")})), &[]),
            "post": create_group
        },
        "/api/v1/groups/{group}": {"get": read_group},
        "/api/v1/groups/{group}/sessions": {"post": add_session},
        "/api/v1/groups/{group}/sessions/{session}/register": {"post": register},
        "/api/v1/families/{id}/groups": {"post": enrol},
        "/api/v1/families/{id}/interventions": {"post": offer},
        "/api/v1/families/{id}/interventions/{intervention}/steps": {"post": step},
        "/api/v1/families/{id}/interventions/{intervention}/series": {"post": series},
        "/api/v1/teams/{id}/interventions": {"get": read_catalogue, "post": add_entry},
        "/api/v1/teams/{id}/interventions/{entry}": {"post": change_entry},
        "/api/v1/families/{id}/plans": {"post": create},
        "/api/v1/families/{id}/plans/{plan}/goals": {"post": goal},
        "/api/v1/families/{id}/plans/{plan}/sessions": {"post": session},
        "/api/v1/families/{id}/plans/{plan}/reviews": {"post": review},
        "/api/v1/families/{id}/plans/{plan}/end": {"post": end},
        "/api/v1/teams/{id}/settings": {"get": read_settings, "post": save_settings}
    })
}

/// The group programme schemas, apart so that `json!` stays within its recursion limit.
fn group_schemas() -> Value {
    let date = json!({"type": "string", "format": "date"});
    let day = json!({"type": "string"});
    json!({
        "QuestionnaireResponseInput": {"type": "object", "required": ["instrument", "completed_on", "answers"], "properties": {
            "instrument": {"type": "string", "description": "The instrument's short name, e.g. PHQ-9"},
            "population": {"type": "string", "description": "One of the instrument's population codes, or empty"},
            "completed_on": date.clone(),
            "answers": {"type": "array", "items": {"type": "object", "required": ["question", "code"], "properties": {
                "question": {"type": "string"}, "code": {"type": "string"}
            }}}
        }},
        "AlertActionInput": {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "maxLength": 2000}
        }},
        "QuestionnaireResponse": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "person_id": {"type": "string", "format": "uuid"},
            "questionnaire": {"type": "string", "description": "The definition's canonical URL"},
            "questionnaire_version": {"type": "string"}, "instrument_name": {"type": "string"},
            "completed_on": date.clone(), "population": {"type": ["string", "null"]},
            "answers": {"type": "array", "items": {"type": "object"}},
            "scored": {"type": "object", "properties": {
                "scores": {"type": "array", "items": {"type": "object"}},
                "alerts": {"type": "array", "items": {"type": "object"}}
            }},
            "recorded_by_name": {"type": "string"}, "recorded_at_millis": {"type": "integer"},
            "alert_action": {"type": ["object", "null"]}
        }},
        "PathwayStepInput": {"type": "object", "required": ["step", "on"], "oneOf": [
            {"properties": {"step": {"const": "identified"}}, "required": ["how"]},
            {"properties": {"step": {"const": "offered"}}, "required": ["method"]},
            {"properties": {"step": {"const": "accepted"}}},
            {"properties": {"step": {"const": "declined"}}, "required": ["reason", "ask_again_from"]},
            {"properties": {"step": {"const": "assessed"}}, "required": ["outcome", "detail"]},
            {"properties": {"step": {"const": "followed_up"}}, "required": ["note"]}
        ], "properties": {
            "step": {"type": "string", "enum": ["identified", "offered", "accepted", "declined", "assessed", "followed_up"]},
            "on": date.clone(),
            "how": {"type": "string", "enum": ["at_referral", "at_assessment", "later", "self_referred"]},
            "method": {"type": "string", "enum": ["in_person", "phone", "video_call", "letter"]},
            "reason": {"type": "string"},
            "ask_again_from": date.clone(),
            "outcome": {"type": "string", "enum": ["no_further_action", "signposted", "support_offered", "referred_on"]},
            "detail": {"type": "string"},
            "note": {"type": "string"},
            "given": reference("InformationGiven"),
            "answer": {"type": "object", "description": "With an offer only: the answer given there and then, a step object (accepted, or declined with reason and ask_again_from)", "required": ["step", "on"],
                "oneOf": [
                    {"properties": {"step": {"const": "accepted"}}},
                    {"properties": {"step": {"const": "declined"}}, "required": ["reason", "ask_again_from"]}
                ],
                "properties": {
                    "step": {"type": "string", "enum": ["accepted", "declined"]},
                    "on": date.clone(),
                    "reason": {"type": "string"},
                    "ask_again_from": date.clone()
                }},
            "before_referral_reason": {"type": "string", "maxLength": 500, "description": "Required when the step is dated before the family's referral: why"}
        }},
        "Pathway": {"type": "object", "properties": {
            "steps": {"type": "array", "items": {"type": "object", "properties": {
                "step": reference("PathwayStepInput"),
                "recorded_by": {"type": "string", "format": "uuid"},
                "recorded_by_name": {"type": "string"},
                "recorded_at_millis": {"type": "integer"},
                "before_referral_reason": {"type": "string"}
            }}}
        }},
        "MotherInput": {"type": "object", "required": ["mother_name", "version", "reason"], "properties": {
            "mother_name": {"type": "string", "maxLength": 200},
            "mother_nhs_number": {"type": "string", "description": "10 digits, modulus 11 checked; empty if not known"},
            "mother_dob_day": day, "mother_dob_month": day, "mother_dob_year": day,
            "mother_postcode": {"type": "string", "description": "A full UK postcode, or empty"},
            "mother_language": {"type": "string", "description": "The language she prefers, or empty"},
            "mother_interpreter_needed": {"type": "string", "enum": ["yes", "no", ""], "description": "yes when she needs an interpreter (then her language is required)"},
            "referral_day": day, "referral_month": day, "referral_year": day,
            "version": version_replaced("The family's version being replaced"),
            "reason": {"type": "string", "maxLength": 500}
        }},
        "MotherDetails": {"type": "object", "properties": {
            "mother_name": {"type": "string"}, "mother_nhs_number": {"type": ["string", "null"]},
            "mother_date_of_birth": {"type": ["string", "null"], "format": "date"},
            "mother_postcode": {"type": ["string", "null"]},
            "mother_language": {"type": "object", "properties": {"language": {"type": ["string", "null"]}, "interpreter_needed": {"type": "boolean"}}},
            "referral_date": {"type": ["string", "null"], "format": "date"}
        }},
        "GroupInput": {"type": "object", "required": ["name", "facilitators", "capacity"], "properties": {
            "team": {"type": "string", "format": "uuid"}, "name": {"type": "string", "maxLength": 120},
            "description": {"type": "string", "maxLength": 2000}, "facilitators": {"type": "string", "maxLength": 300},
            "capacity": {"type": "string", "description": "1 to 100"}
        }},
        "GroupSessionInput": {"type": "object", "required": ["on_day", "on_month", "on_year"], "properties": {
            "on_day": day, "on_month": day, "on_year": day, "topic": {"type": "string", "maxLength": 200}
        }},
        "RegisterInput": {"type": "object", "required": ["marks"], "properties": {
            "marks": {"type": "array", "items": {"type": "object", "required": ["enrolment", "presence"], "properties": {
                "enrolment": {"type": "string", "format": "uuid"}, "presence": {"enum": ["attended", "apologies", "did_not_attend"]}
            }}}
        }},
        "EnrolInput": {"type": "object", "required": ["group", "member"], "properties": {
            "group": {"type": "string", "format": "uuid"}, "member": {"type": "string", "description": "\"mother\" or a person's id"}
        }},
        "Group": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "team_id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"}, "description": {"type": "string"}, "facilitators": {"type": "string"},
            "capacity": {"type": "integer"},
            "sessions": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "on": date, "topic": {"type": "string"}}}},
            "created_by": {"type": "string"}, "created_at_millis": {"type": "integer"}
        }},
        "Enrolment": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "group_id": {"type": "string", "format": "uuid"},
            "family_id": {"type": "string", "format": "uuid"}, "member": reference("Member"), "name": {"type": "string"},
            "enrolled_on": date, "enrolled_by": {"type": "string"}
        }},
        "AttendanceMark": {"type": "object", "properties": {
            "enrolment": {"type": "string", "format": "uuid"}, "session": {"type": "string", "format": "uuid"},
            "presence": {"enum": ["attended", "apologies", "did_not_attend"]}, "recorded_by": {"type": "string"}
        }},
        "GroupRegister": {"type": "object", "properties": {
            "group": reference("Group"), "enrolments": {"type": "array", "items": reference("Enrolment")},
            "marks": {"type": "array", "items": reference("AttendanceMark")}
        }}
    })
}

fn care_plan_schemas() -> Value {
    let date = json!({"type": "string", "format": "date"});
    let day = json!({"type": "string"});
    let rating = json!({"type": "object", "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 10},
        "rated_by": reference("Member"), "rated_on": date
    }});
    json!({
        "PlanInput": {"type": "object", "required": ["kind", "focus", "agreed_day", "agreed_month", "agreed_year"], "properties": {
            "kind": {"enum": ["family", "nursery_nursing"]}, "focus": {"enum": ["antenatal", "postnatal"]},
            "agreed_day": day, "agreed_month": day, "agreed_year": day,
            "assessment": {"type": "string", "maxLength": 10000, "description": "Required for a nursery nursing plan"},
            "planned_sessions": {"type": "string", "description": "1 to 52; required for a nursery nursing plan"},
            "after_mbu": {"enum": ["yes", "no", ""], "description": "Nursery nursing: support after a Mother and Baby Unit stay"}
        }},
        "GoalInput": {"type": "object", "required": ["words", "area", "agreed_by", "agreed_day", "agreed_month", "agreed_year", "baseline", "baseline_by"], "properties": {
            "who": {"type": "array", "items": {"type": "string"}, "description": "\"mother\" or people's ids; [\"family\"] for the whole family"},
            "words": {"type": "string", "maxLength": 1000, "description": "The goal in the family's own words"},
            "area": {"enum": ["preparing_practically", "preparing_emotionally", "bonding", "confidence", "sharing_care", "other"]},
            "agreed_by": {"type": "string", "maxLength": 200},
            "agreed_day": day, "agreed_month": day, "agreed_year": day,
            "baseline": {"type": "string", "description": "The starting rating, a whole number 0 to 10"},
            "baseline_by": {"type": "string", "description": "Who gave it: \"mother\" or a person's id, one of the goal's people"},
            "second_baseline": {"type": "string", "description": "Another starting rating, 0 to 10, from another of the goal's people (optional)"},
            "second_baseline_by": {"type": "string", "description": "Who gave the second rating: \"mother\" or a person's id"}
        }},
        "SessionInput": {"type": "object", "required": ["held_day", "held_month", "held_year", "place", "attendance", "focus"], "properties": {
            "held_day": day, "held_month": day, "held_year": day,
            "place": {"enum": ["home", "clinic", "ward", "video"]},
            "attendance": {"enum": ["attended", "did_not_attend", "cancelled_by_family", "cancelled_by_team"]},
            "attendees": {"type": "array", "items": {"type": "string"}, "description": "\"mother\" or people's ids in this family; required when attended"},
            "seen": {"enum": ["together", "apart", ""], "description": "Required when more than one person attended"},
            "goals": {"type": "array", "items": {"type": "string", "format": "uuid"}, "description": "Goals of this plan the session worked on"},
            "interventions": {"type": "array", "items": {"type": "string", "format": "uuid"}, "description": "Family members' interventions the session worked on"},
            "focus": {"enum": ["antenatal", "postnatal"]},
            "notes": {"type": "string", "maxLength": 10000},
            "next_day": day, "next_month": day, "next_year": day
        }},
        "ReviewInput": {"type": "object", "required": ["reviewed_day", "reviewed_month", "reviewed_year", "ratings", "what_changed", "decision"], "properties": {
            "reviewed_day": day, "reviewed_month": day, "reviewed_year": day,
            "ratings": {"type": "array", "description": "One for every goal of the plan", "items": {"type": "object", "required": ["goal", "score", "rated_by"], "properties": {
                "goal": {"type": "string", "format": "uuid"}, "score": {"type": "string", "description": "0 to 10"},
                "rated_by": {"type": "string", "description": "\"mother\" or a person's id, one of the goal's people"}
            }}},
            "what_changed": {"type": "string", "maxLength": 10000},
            "decision": {"enum": ["continue", "new_goals", "step_down", "discharge"]}
        }},
        "CloseInput": {"type": "object", "required": ["closed_day", "closed_month", "closed_year", "summary"], "properties": {
            "closed_day": day, "closed_month": day, "closed_year": day,
            "summary": {"type": "string", "maxLength": 10000}
        }},
        "CatalogueInput": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 120}, "description": {"type": "string", "maxLength": 2000},
            "manualised": {"enum": ["yes", "no", ""]}, "series_sessions": {"type": "string", "description": "1 to 52, manualised only"},
            "themes": {"type": "string", "description": "One theme per line, manualised only"},
            "retired": {"enum": ["yes", "no", ""]}
        }},
        "CatalogueEntry": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "description": {"type": "string"},
            "manualised": {"type": "boolean"}, "series_sessions": {"type": ["integer", "null"]},
            "themes": {"type": "array", "items": {"type": "string"}}, "retired": {"type": "boolean"}
        }},
        "OfferInput": {"type": "object", "required": ["member", "intervention", "delivered_by", "offered_day", "offered_month", "offered_year"], "properties": {
            "member": {"type": "string", "description": "\"mother\" or a person's id"},
            "intervention": {"type": "string", "format": "uuid", "description": "A catalogue entry's id"},
            "delivered_by": {"type": "string", "maxLength": 200},
            "plan": {"type": "string", "description": "An open care plan's id, or empty"},
            "offered_day": day, "offered_month": day, "offered_year": day
        }},
        "StepInput": {"type": "object", "required": ["step", "step_day", "step_month", "step_year"], "properties": {
            "step": {"enum": ["accepted", "declined", "started", "completed", "stopped"]},
            "step_day": day, "step_month": day, "step_year": day,
            "reason": {"type": "string", "maxLength": 2000, "description": "Required when declined or stopped"}
        }},
        "SeriesInput": {"type": "object", "required": ["number", "theme", "series_day", "series_month", "series_year"], "properties": {
            "number": {"type": "string", "description": "Which session of the series"},
            "theme": {"type": "string"}, "series_day": day, "series_month": day, "series_year": day
        }},
        "PersonIntervention": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "member": reference("Member"),
            "intervention": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
            "manualised": {"type": "boolean"}, "series_sessions": {"type": ["integer", "null"]},
            "delivered_by": {"type": "string"}, "plan": {"type": ["string", "null"], "format": "uuid"},
            "steps": {"type": "array", "items": {"type": "object", "properties": {
                "step": {"enum": ["offered", "accepted", "declined", "started", "completed", "stopped"]},
                "on": date, "reason": {"type": ["string", "null"]}, "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}
            }}},
            "series": {"type": "array", "items": {"type": "object", "properties": {
                "number": {"type": "integer"}, "theme": {"type": "string"}, "on": date, "recorded_by": {"type": "string"}
            }}}
        }},
        "TeamSettings": {"type": "object", "required": ["sessions_before_review"], "properties": {
            "sessions_before_review": {"type": ["integer", "string"], "minimum": 1, "maximum": 20}
        }},
        "Rating": rating,
        "Goal": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "who": {"type": "array", "items": reference("Member")},
            "words": {"type": "string"}, "area": {"type": "string"}, "agreed_by": {"type": "string"}, "agreed_on": date,
            "baseline": reference("Rating"), "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}
        }},
        "CareSession": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "held_on": date, "place": {"type": "string"},
            "attendance": {"type": "string"}, "attendees": {"type": "array", "items": reference("Member")},
            "seen": {"type": "string"}, "goals": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            "interventions": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            "focus": {"type": "string"}, "notes": {"type": "string"},
            "next_contact": {"type": ["string", "null"], "format": "date"},
            "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}
        }},
        "Review": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "reviewed_on": date,
            "ratings": {"type": "array", "description": "[goal id, rating] pairs", "items": {"type": "array"}},
            "what_changed": {"type": "string"}, "decision": {"type": "string"},
            "sessions_counted": {"type": "integer"}, "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}
        }},
        "CarePlan": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "kind": {"enum": ["family", "nursery_nursing"]},
            "focus": {"enum": ["antenatal", "postnatal"]}, "agreed_on": date,
            "assessment": {"type": ["string", "null"]}, "planned_sessions": {"type": ["integer", "null"]},
            "after_mbu": {"type": "boolean"},
            "goals": {"type": "array", "items": reference("Goal")},
            "sessions": {"type": "array", "items": reference("CareSession")},
            "reviews": {"type": "array", "items": reference("Review")},
            "closure": {"type": ["object", "null"], "properties": {"closed_on": date, "summary": {"type": "string"}, "closed_by": {"type": "string"}}},
            "created_by": {"type": "string"}, "created_at_millis": {"type": "integer"}
        }}
    })
}

fn body() -> Value {
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
        "Grants the caller time-limited access to a family cared for by another team. A reason of at least 15 characters and a current code from the caller's second factor (set up on the Your account page) are required; the grant and every later read carry the reason in the audit trail.",
        "201",
        ok_json("Access granted", json!({"type": "object"})),
        &[("404", "No such family"), ("422", "The reason is missing or too short, or the code is missing or not right (or the caller has no second factor)")],
    );
    break_glass["requestBody"] = json_body("BreakGlass");
    break_glass["parameters"] = id_parameter("The family's id");
    let mut read_family = operation(
        "Read a family record",
        "The family with its babies, the people around the baby, their relationships and any do not contact / do not involve decisions. Audited: nothing is returned until the read's audit record is committed.",
        "200",
        ok_json(
            "The family",
            json!({"type": "object", "properties": {
                "family": reference("Family"),
                "people": {"type": "array", "items": reference("Person")},
                "relationships": {"type": "array", "items": {"type": "object"}},
                "restrictions": {"type": "array", "items": {"type": "object"}},
                "conversations": {"type": "array", "items": reference("Conversation")},
                "concerns": {"type": "array", "items": reference("Concern")},
                "observations": {"type": "array", "items": reference("Observation")},
                "moments": {"type": "array", "items": reference("PositiveMoment")},
                "notes": {"type": "array", "items": reference("Note")},
                "plans": {"type": "array", "items": reference("CarePlan")},
                "interventions": {"type": "array", "items": reference("PersonIntervention")},
                "groups": {"type": "array", "items": {"type": "object", "properties": {
                    "group": reference("Group"), "enrolment": reference("Enrolment"),
                    "marks": {"type": "array", "items": reference("AttendanceMark")}
                }}},
                "sessions_before_review": {"type": "integer"},
                "responses": {"type": "array", "items": reference("QuestionnaireResponse")},
                "partner_assessments": {"type": "array", "items": reference("PartnerAssessment")},
                "pathway_roles": {"type": "array", "items": {"type": "string"}, "description": "Family members beyond partners the team offers the pathway to"},
                "pathways": {"type": "array", "items": {"type": "object", "properties": {
                    "person_id": {"type": "string", "format": "uuid"}, "pathway": reference("Pathway")
                }}},
                "next_due": {"type": "string", "description": "What is due next for the family's care, as the caseload says it"},
                "break_glass_reason": {"type": ["string", "null"]}
            }}),
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
        "Administrators only. The account has no password: the person chooses their own through a one-time enrolment link, made by the manager of their team (for clinical staff) or by an administrator (for other administrators), never sent here. A service account (`service_account: true`) has no password and uses bearer tokens issued with `cradle user token`.",
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
    let path_ids = |names: &[(&str, &str)]| -> Value {
        Value::Array(
            names
                .iter()
                .map(|(name, what)| json!({"name": name, "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}))
                .collect(),
        )
    };
    let family_and_person = path_ids(&[("id", "The family's id"), ("person", "The person's id")]);
    let mut ecomap = operation(
        "The family's ecomap",
        "An SVG picture with the baby at the centre and each person around; its <title> and <desc> give the text alternative. Audited as a read of the family.",
        "200",
        json!({"description": "The ecomap", "content": {"image/svg+xml": {}}}),
        &[("404", "No such family")],
    );
    ecomap["parameters"] = id_parameter("The family's id");
    let mut add_person = operation(
        "Add a person who matters to the baby",
        "A person in their own right (partner, grandparent, friend…). A second person with the same name in the family is refused as a likely duplicate.",
        "201",
        ok_json("The person", reference("Person")),
        &[("404", "No such family"), ("422", "The person's details have problems; nothing was saved")],
    );
    add_person["parameters"] = id_parameter("The family's id");
    let concern_path = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "concern", "in": "path", "required": true, "description": "The concern's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut record_observation = operation(
        "Record an interaction observation",
        "Of one caregiver (`caregiver`: \"mother\" or a person's id, not anyone marked do not involve) with the baby: `setting` (home, clinic, ward, video), descriptive text (`seen`, `sensitivity`, `responsiveness`, `mind`, `beliefs`), a formal tool's result exactly as given (`tool`, `tool_version`, `tool_result`, `trained_user`, all or none), and an optional positive moment (`moment`, `baby_responses`: smile, eye_contact, calming, vocalising, other; `fed_back`). Cradle computes no score.",
        "201",
        ok_json("The observation and its positive moment", json!({"type": "object", "properties": {"observation": reference("Observation"), "moment": {"oneOf": [reference("PositiveMoment"), {"type": "null"}]}}})),
        &[("404", "No such family"), ("422", "The observation has problems; nothing was saved")],
    );
    record_observation["parameters"] = id_parameter("The family's id");
    record_observation["requestBody"] = json_body("ObservationInput");
    let mut add_note = operation(
        "Record a needs, strengths or confidence note",
        "`subject`: \"mother\", a person's id, or \"family\" (only for `kind` shared_understanding); `kind`: experience, support_wanted, strength, shared_understanding; `text`; the date as `noted_day`, `noted_month`, `noted_year`.",
        "201",
        ok_json("The note", reference("Note")),
        &[("404", "No such family"), ("422", "The note has problems; nothing was saved")],
    );
    add_note["parameters"] = id_parameter("The family's id");
    add_note["requestBody"] = json_body("NoteInput");
    let correction_path = |name: &str, what: &str| {
        json!([
            {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
            {"name": name, "in": "path", "required": true, "description": what, "schema": {"type": "string", "format": "uuid"}}
        ])
    };
    let mut amend_note = operation(
        "Correct a needs, strengths or confidence note",
        "The whole note as it should read, with `version` (the version replaced: 409 if someone else changed it first) and `reason` (required). The earlier version is kept.",
        "200",
        ok_json("The note", reference("Note")),
        &[("404", "No such family or note"), ("409", "Changed by someone else first"), ("422", "The note has problems")],
    );
    amend_note["parameters"] = correction_path("note", "The note's id");
    amend_note["requestBody"] = correction_body("NoteInput");
    let mut amend_observation = operation(
        "Correct an interaction observation",
        "The whole observation as it should read (its positive moment stays as it was), with `version` and `reason`. The earlier version is kept.",
        "200",
        ok_json("The observation", reference("Observation")),
        &[("404", "No such family or observation"), ("409", "Changed by someone else first"), ("422", "The observation has problems")],
    );
    amend_observation["parameters"] = correction_path("observation", "The observation's id");
    amend_observation["requestBody"] = correction_body("ObservationInput");
    let mut amend_moment = operation(
        "Correct a positive moment",
        "`moment`, `baby_responses`, `fed_back` and the date (`observed_day`, `observed_month`, `observed_year`) as they should read, with `version` and `reason`. The earlier version is kept.",
        "200",
        ok_json("The positive moment", reference("PositiveMoment")),
        &[("404", "No such family or moment"), ("409", "Changed by someone else first"), ("422", "The moment has problems")],
    );
    amend_moment["parameters"] = correction_path("moment", "The moment's id");
    amend_moment["requestBody"] = correction_body("MomentInput");
    let mut amend_concern = operation(
        "Correct what an open concern says",
        "`about`, `kinds` and `description` as they should read, with `version` and `reason`; actions and closing are never rewritten. The earlier version is kept.",
        "200",
        ok_json("The concern", reference("Concern")),
        &[("404", "No such family or open concern"), ("409", "Changed by someone else first"), ("422", "The concern has problems")],
    );
    amend_concern["parameters"] = correction_path("concern", "The concern's id");
    amend_concern["requestBody"] = correction_body("ConcernInput");
    let mut record_enquiry = operation(
        "Record a routine enquiry about domestic abuse",
        "Only for someone seen alone (`seen_alone` \"yes\", otherwise 422). Recorded as a staff-only timeline entry: it reaches no family-facing output, the asked person's own included. After a disclosure (`outcome` \"disclosed\"), `named` (a person in the family) can be marked do not involve (`do_not_involve` \"yes\" with `decided_by`, `reason` and a review date `review_day`, `review_month`, `review_year`) in the same transaction, and the steps that follow a disclosure are opened (see the family read's `disclosure_actions`).",
        "201",
        ok_json("The timeline entry", json!({"type": "object"})),
        &[("404", "No such family"), ("422", "The enquiry has problems; nothing was saved")],
    );
    record_enquiry["parameters"] = id_parameter("The family's id");
    record_enquiry["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["asked", "seen_alone", "outcome"], "properties": {
        "asked": {"type": "string", "description": "\"mother\" or a person's id"}, "seen_alone": {"enum": ["yes", "no"]},
        "asked_day": {"type": "string"}, "asked_month": {"type": "string"}, "asked_year": {"type": "string"},
        "outcome": {"enum": ["nothing_disclosed", "disclosed", "not_safe"]}, "notes": {"type": "string", "maxLength": 5000},
        "named": {"type": "string", "format": "uuid"}, "do_not_involve": {"enum": ["yes", "no", ""]},
        "decided_by": {"type": "string", "maxLength": 200}, "reason": {"type": "string", "maxLength": 1000},
        "review_day": {"type": "string"}, "review_month": {"type": "string"}, "review_year": {"type": "string"}}}}}});
    let mut settle_disclosure_action = operation(
        "Settle a step after an abuse disclosure",
        "`outcome` \"done\" with `detail` (what was done; for `risk_assessment`, also `form_name`, the form the service used, with its result as given in `detail`), or \"not_needed\" with `reason`. Open steps show on the family page, the caseload and the home page until settled.",
        "200",
        ok_json("The settled step", json!({"type": "object"})),
        &[
            ("404", "No such step in this family"),
            ("409", "The step was already settled"),
            ("422", "The settling has problems"),
        ],
    );
    settle_disclosure_action["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "action", "in": "path", "required": true, "description": "The step's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    settle_disclosure_action["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["outcome"], "properties": {
        "outcome": {"enum": ["done", "not_needed"]}, "form_name": {"type": "string", "maxLength": 200},
        "detail": {"type": "string", "maxLength": 2000}, "reason": {"type": "string", "maxLength": 2000}}}}}});
    let mut raise_concern = operation(
        "Raise a coping concern",
        "About one family member (`about`: \"mother\" or a person's id), with what it is about (`kinds`: crying, anger, exhaustion, other) and what worries the clinician; optionally the conversation it came up in. The family and caseload are flagged until it is closed.",
        "201",
        ok_json("The concern", reference("Concern")),
        &[("404", "No such family"), ("422", "The concern has problems; nothing was saved")],
    );
    raise_concern["parameters"] = id_parameter("The family's id");
    raise_concern["requestBody"] = json_body("ConcernInput");
    let mut concern_action = operation(
        "Record the action taken about a concern",
        "`action`: safety_plan, crying_information, safeguarding_referral (with `reference`), supervisor, or other (with `note`).",
        "201",
        ok_json("The action", reference("ConcernAction")),
        &[("404", "No such family"), ("409", "The concern is closed"), ("422", "The action has problems")],
    );
    concern_action["parameters"] = concern_path.clone();
    concern_action["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["action"], "properties": {
        "action": {"enum": ["safety_plan", "crying_information", "safeguarding_referral", "supervisor", "other"]},
        "reference": {"type": "string", "maxLength": 100}, "note": {"type": "string", "maxLength": 5000}}}}}});
    let mut close_concern = operation(
        "Close a concern",
        "With a reason, once at least one action has been recorded.",
        "204",
        json!({"description": "Closed"}),
        &[
            ("404", "No such family"),
            ("409", "The concern is already closed"),
            ("422", "No reason, or no action recorded yet"),
        ],
    );
    close_concern["parameters"] = concern_path;
    close_concern["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 1000}}}}}});
    let mut record_conversation = operation(
        "Record a relationship conversation",
        "With the mother and/or people around the baby (not anyone marked do not involve), seen together or separately. Every section is optional free text; `finish` \"yes\" finishes it, anything else keeps it to finish later. Cradle never scores a relationship.",
        "201",
        ok_json("The conversation", reference("Conversation")),
        &[("404", "No such family"), ("422", "The conversation has problems; nothing was saved")],
    );
    record_conversation["parameters"] = id_parameter("The family's id");
    record_conversation["requestBody"] = json_body("ConversationInput");
    let mut save_conversation = operation(
        "Save a relationship conversation again",
        "Carries on or finishes a draft, or changes a finished conversation (`reason` required). `version` must be the version being replaced: 409 if someone else saved it first. The earlier version is kept.",
        "200",
        ok_json("The conversation", reference("Conversation")),
        &[("404", "No such family or conversation"), ("409", "Saved by someone else first"), ("422", "The conversation has problems; nothing was saved")],
    );
    save_conversation["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "conversation", "in": "path", "required": true, "description": "The conversation's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    save_conversation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"allOf": [reference("ConversationInput"), {"type": "object", "required": ["version"], "properties": {"version": version_replaced("The conversation's version being replaced"), "reason": {"type": "string", "maxLength": 500}}}]}}}});
    add_person["requestBody"] = json_body("PersonInput");
    let mut known_people = operation(
        "Find someone already known to the caller's teams",
        "People in the caller's teams' families whose name starts with `q` (at least 2 letters) and who are not in this family yet, each with the families they are in and any do-not-contact or do-not-involve decision in force there. Audited with the ids shown.",
        "200",
        ok_json("People found", json!({"type": "object", "properties": {"people": {"type": "array", "items": reference("KnownPerson")}}})),
        &[("404", "No such family"), ("422", "The search text has problems")],
    );
    known_people["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "q", "in": "query", "required": true, "description": "The start of their name", "schema": {"type": "string", "minLength": 2, "maxLength": 100}}
    ]);
    let mut link_person = operation(
        "Add someone already known to the team",
        "Makes a person recorded in another of the caller's teams' families a member of this family too: one person, one record. Someone known only to another team cannot be linked.",
        "201",
        ok_json("The person", reference("Person")),
        &[("404", "No such family or person"), ("422", "Already in this family, or not in any of the caller's teams' families")],
    );
    link_person["parameters"] = id_parameter("The family's id");
    link_person["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["person_id"], "properties": {"person_id": {"type": "string", "format": "uuid"}}}}}});
    let mut amend_person = operation(
        "Amend a person's details",
        "Replaces the details and keeps the earlier version with who, when and why. `version` must be the version being replaced: 409 if someone else changed it first.",
        "200",
        ok_json("The person's new version", reference("Person")),
        &[("404", "No such person in this family"), ("409", "Changed by someone else; nothing was saved"), ("422", "The details or the reason have problems")],
    );
    amend_person["parameters"] = family_and_person.clone();
    amend_person["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"allOf": [reference("PersonInput"), {"type": "object", "required": ["version", "reason"], "properties": {"version": version_replaced("The person's version being replaced"), "reason": {"type": "string"}}}]}}}});
    let mut history = operation(
        "Earlier versions of a person's details",
        "Oldest first; the viewing is audited.",
        "200",
        ok_json(
            "Earlier versions",
            json!({"type": "array", "items": {"type": "object"}}),
        ),
        &[("404", "No such family")],
    );
    history["parameters"] = family_and_person.clone();
    let mut record_history = operation(
        "Earlier versions of one of a family's records",
        "`kind` is person, relationship, baby or family (the family's own details, such as child protection status); `record` is that record's id (the family's id for `family`). Oldest first, each with the details as they were, who replaced them, when and why; the viewing is audited.",
        "200",
        ok_json(
            "Earlier versions",
            json!({"type": "array", "items": {"type": "object"}}),
        ),
        &[("404", "No such family, kind, or record in this family")],
    );
    record_history["parameters"] = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "kind", "in": "path", "required": true, "schema": {"enum": ["person", "relationship", "baby", "family"]}},
        {"name": "record", "in": "path", "required": true, "description": "The record's id", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut restrict = operation(
        "Record a do not contact or do not involve decision",
        "While it stands Cradle offers no contact, information, assessment or booking for the person, and the mark shows wherever they appear.",
        "201",
        ok_json("The decision", json!({"type": "object"})),
        &[("404", "No such person in this family"), ("422", "The decision has problems")],
    );
    restrict["parameters"] = family_and_person;
    restrict["requestBody"] = json_body("RestrictionInput");
    let family_and_restriction = json!([
        {"name": "id", "in": "path", "required": true, "description": "The family's id", "schema": {"type": "string", "format": "uuid"}},
        {"name": "restriction", "in": "path", "required": true, "description": "The decision in force", "schema": {"type": "string", "format": "uuid"}}
    ]);
    let mut renew_restriction = operation(
        "Renew a do not contact or do not involve decision after its review",
        "A decision never lapses by itself: past its review date (`review_on`) it stays in force and shows as overdue until it is renewed or lifted. Renewing records who decided, why and the next review date (`until_day`, `until_month`, `until_year`; `kind` is ignored: a renewal keeps the decision's kind) as a new decision, and keeps the earlier one, closed, with `renewed_as` naming the new one.",
        "201",
        ok_json("The new decision", json!({"type": "object"})),
        &[
            ("404", "No such decision in this family"),
            ("409", "The decision was already lifted or renewed"),
            ("422", "The renewal has problems"),
        ],
    );
    renew_restriction["parameters"] = family_and_restriction.clone();
    renew_restriction["requestBody"] = json_body("RestrictionInput");
    let mut lift_restriction = operation(
        "Lift a do not contact or do not involve decision",
        "Who lifted it, when and why are kept with the decision.",
        "204",
        json!({"description": "Lifted"}),
        &[
            ("404", "No such decision in this family"),
            ("409", "The decision was already lifted or renewed"),
            ("422", "No reason given"),
        ],
    );
    lift_restriction["parameters"] = family_and_restriction;
    lift_restriction["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}}}});
    let mut add_relationship = operation(
        "Record how a person relates to a baby or to the mother",
        "The person and the baby must belong to this family.",
        "201",
        ok_json("The relationship", json!({"type": "object"})),
        &[
            ("404", "No such family"),
            ("422", "The relationship has problems"),
        ],
    );
    add_relationship["parameters"] = id_parameter("The family's id");
    add_relationship["requestBody"] = json_body("RelationshipInput");
    let mut birth = operation(
        "Record a birth",
        "Fills in the pregnancy's own record (date of birth, gestation, name, NHS number); the family becomes postnatal.",
        "200",
        ok_json("The baby", json!({"type": "object"})),
        &[("404", "No such baby in this family"), ("409", "The birth is already recorded"), ("422", "The birth details have problems")],
    );
    birth["parameters"] = path_ids(&[("id", "The family's id"), ("baby", "The baby's id")]);
    birth["requestBody"] = json_body("BirthInput");
    let mut list_families = operation(
        "List the caller's teams' families",
        "25 a page, ordered by the mother's name; follow next_after / previous_before to page. Audited with the ids shown.",
        "200",
        ok_json("A page of families", reference("FamilyList")),
        &[],
    );
    list_families["parameters"] = json!([
        {"name": "q", "in": "query", "required": false, "description": "Start of the mother's name, the mother's or a baby's NHS number, or a full postcode of anyone in the family", "schema": {"type": "string"}},
        {"name": "after", "in": "query", "required": false, "description": "The next page: the `next_after` of the page before", "schema": {"type": "string", "format": "uuid"}},
        {"name": "before", "in": "query", "required": false, "description": "The page before: the `previous_before` of the page after", "schema": {"type": "string", "format": "uuid"}},
        {"name": "page", "in": "query", "required": false, "description": "A page number counted from the start (slower deep into a large caseload than `after`)", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
        {"name": "mine", "in": "query", "required": false, "description": "1 for only the families the caller is key worker for", "schema": {"enum": ["1"]}}
    ]);

    // Added after the main body, so that `json!` stays within its recursion limit.
    let mut document = json!({
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
            "/api/v1/staff/{id}/teams": {"post": set_teams},
            "/api/v1/families/{id}/ecomap.svg": {"get": ecomap},
            "/api/v1/families/{id}/people": {"post": add_person},
            "/api/v1/families/{id}/conversations": {"post": record_conversation},
            "/api/v1/families/{id}/concerns": {"post": raise_concern},
            "/api/v1/families/{id}/enquiries": {"post": record_enquiry},
            "/api/v1/families/{id}/observations": {"post": record_observation},
            "/api/v1/families/{id}/notes": {"post": add_note},
            "/api/v1/families/{id}/notes/{note}": {"post": amend_note},
            "/api/v1/families/{id}/moments/{moment}": {"post": amend_moment},
            "/api/v1/families/{id}/concerns/{concern}": {"post": amend_concern},
            "/api/v1/families/{id}/observations/{observation}": {"post": amend_observation},
            "/api/v1/families/{id}/concerns/{concern}/actions": {"post": concern_action},
            "/api/v1/families/{id}/concerns/{concern}/close": {"post": close_concern},
            "/api/v1/families/{id}/conversations/{conversation}": {"post": save_conversation},
            "/api/v1/families/{id}/known-people": {"get": known_people},
            "/api/v1/families/{id}/people/link": {"post": link_person},
            "/api/v1/families/{id}/people/{person}": {"post": amend_person},
            "/api/v1/families/{id}/people/{person}/history": {"get": history},
            "/api/v1/families/{id}/history/{kind}/{record}": {"get": record_history},
            "/api/v1/families/{id}/people/{person}/restrictions": {"post": restrict},
            "/api/v1/families/{id}/restrictions/{restriction}/renew": {"post": renew_restriction},
            "/api/v1/families/{id}/restrictions/{restriction}/lift": {"post": lift_restriction},
            "/api/v1/families/{id}/relationships": {"post": add_relationship},
            "/api/v1/families/{id}/babies/{baby}/birth": {"post": birth}
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "cradle_session"},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "instance": {"type": "string", "description": "urn:cradle:request:<id>: the request, by the id in the server's log and the X-Request-Id header"},
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
                    "teams": {"type": "array", "items": {"type": "string"}},
                    "service_account": {"type": "boolean"},
                    "password": {"type": "string", "maxLength": 0, "description": "Leave out: a password is never accepted (422); the person sets their own through the enrolment link Cradle makes"}
                }},
                "Baby": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "name": {"type": ["string", "null"]},
                    "date_of_birth": {"type": ["string", "null"], "format": "date"},
                    "due_date": {"type": ["string", "null"], "format": "date"},
                    "gestation_at_birth": {"type": ["object", "null"], "properties": {"weeks": {"type": "integer"}, "days": {"type": "integer"}}},
                    "nhs_number": {"type": ["string", "null"]}
                }},
                "Family": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "team_id": {"type": "string", "format": "uuid"},
                    "mother_name": {"type": "string"}, "mother_nhs_number": {"type": ["string", "null"]},
                    "mother_date_of_birth": {"type": ["string", "null"], "format": "date"}, "mother_postcode": {"type": ["string", "null"]},
                    "mother_language": {"type": "object", "properties": {"language": {"type": ["string", "null"]}, "interpreter_needed": {"type": "boolean"}}},
                    "stage": {"enum": ["preconception", "antenatal", "postnatal"]},
                    "referral_date": {"type": ["string", "null"], "format": "date"},
                    "child_protection": {"enum": ["none", "child_in_need", "child_protection_plan", "looked_after", "pre_birth_assessment"]},
                    "babies": {"type": "array", "items": reference("Baby")},
                    "created_at_millis": {"type": "integer"}
                }},
                "FamilySummary": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "team_id": {"type": "string", "format": "uuid"},
                    "mother_name": {"type": "string"}, "stage": {"type": "string"},
                    "babies": {"type": "array", "items": reference("Baby")},
                    "involved": {"type": "array", "description": "The people around the baby: [id, name] each", "items": {"type": "array"}},
                    "restrictions": {"type": "array", "description": "Do not contact / do not involve decisions in force", "items": {"type": "object"}},
                    "open_concerns": {"type": "integer"},
                    "care": {"type": "object", "description": "What the caseload needs to say what is due next: open plans, attended sessions since the last review, the next planned contact, the team's sessions between reviews"},
                    "pathway_steps": {"type": "array", "description": "Each family member's current partner pathway step: [person id, step]", "items": {"type": "array"}}
                }},
                "FamilyList": {"type": "object", "properties": {
                    "families": {"type": "array", "items": reference("FamilySummary")},
                    "total": {"type": "integer", "description": "At least this many when total_is_lower_bound (searches stop counting at 1,000)"},
                    "total_is_lower_bound": {"type": "boolean"}, "page_size": {"type": "integer"},
                    "next_after": {"type": ["string", "null"], "format": "uuid"},
                    "previous_before": {"type": ["string", "null"], "format": "uuid"}
                }},
                "NewFamily": {"type": "object", "additionalProperties": false, "required": ["team_id", "mother_name", "stage"], "properties": {
                    "team_id": {"type": "string", "format": "uuid"}, "mother_name": {"type": "string", "maxLength": 200},
                    "mother_nhs_number": {"type": ["string", "null"], "description": "10 digits, modulus 11 checked"},
                    "mother_date_of_birth": {"type": ["string", "null"], "format": "date", "description": "Before the baby's date of birth; the mother at least 10 years old"},
                    "mother_postcode": {"type": ["string", "null"], "description": "A full UK postcode"},
                    "mother_language": {"type": ["string", "null"], "description": "The language she prefers"}, "mother_interpreter_needed": {"type": ["boolean", "null"], "description": "Whether she needs an interpreter (asked about at every contact with her when true)"},
                    "stage": {"enum": ["preconception", "antenatal", "postnatal"]},
                    "baby_name": {"type": ["string", "null"]},
                    "baby_date_of_birth": {"type": ["string", "null"], "format": "date", "description": "Required when postnatal"},
                    "due_date": {"type": ["string", "null"], "format": "date", "description": "Required when antenatal"},
                    "gestation_at_birth": {"type": ["string", "null"], "description": "Completed weeks and days at birth, \"34+2\""},
                    "referral_date": {"type": ["string", "null"], "format": "date", "description": "Today if left out"}
                }},
                "ConversationInput": {"type": "object", "properties": {
                    "held_day": {"type": "string"}, "held_month": {"type": "string"}, "held_year": {"type": "string"},
                    "participants": {"type": "array", "items": {"type": "string"}, "description": "\"mother\" or a person's id"},
                    "baby": {"type": "string", "description": "A baby's id, or empty for all"},
                    "seen": {"enum": ["together", "apart", ""]},
                    "relationship": {"type": "string"}, "who_matters": {"type": "string"}, "experience": {"type": "string"},
                    "enjoy": {"type": "string"}, "sharing_care": {"type": "string"}, "confidence": {"type": "string"},
                    "coping": {"type": "string"}, "formulation": {"type": "string"},
                    "finish": {"enum": ["yes", "no", ""]}
                }},
                "Conversation": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "held_on": {"type": ["string", "null"], "format": "date"},
                    "participants": {"type": "array", "items": reference("Member")},
                    "baby": {"type": ["string", "null"], "format": "uuid"}, "seen": {"enum": ["together", "apart"]},
                    "answers": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}, "description": "[section, text] pairs"},
                    "formulation": {"type": ["string", "null"]}, "status": {"enum": ["draft", "finished"]},
                    "recorded_by": {"type": "string"}, "saved_at_millis": {"type": "integer"}, "version": {"type": "integer"}
                }},
                "KnownPerson": {"type": "object", "properties": {
                    "person": reference("Person"),
                    "families": {"type": "array", "items": {"type": "object", "properties": {
                        "family_id": {"type": "string", "format": "uuid"}, "mother_name": {"type": "string"},
                        "restrictions": {"type": "array", "items": {"type": "object"}}
                    }}}
                }},
                "PersonInput": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "maxLength": 200}, "phone": {"type": "string"}, "email": {"type": "string"},
                    "postcode": {"type": "string", "description": "A full UK postcode"},
                    "preferred_language": {"type": "string"}, "interpreter_needed": {"enum": ["yes", "no", ""]}, "sex": {"enum": ["female", "male", ""], "description": "As recorded; a questionnaire population for one sex is checked against it"},
                    "ethnicity": {"type": "string", "description": "NHS Data Dictionary ethnic category code (A–S, Z, 99)"},
                    "religion": {"type": "string"}, "cultural_notes": {"type": "string", "maxLength": 2000},
                    "contact_consent": {"enum": ["yes", "no", "not_asked", ""]},
                    "different_person": {"enum": ["yes", ""], "description": "\"yes\" confirms this is not someone of the same name already known to the team (otherwise such a namesake is refused with 422)"},
                    "born_day": {"type": "string"}, "born_month": {"type": "string"}, "born_year": {"type": "string", "description": "Their date of birth, if known (in the past)"},
                    "age_band": {"enum": ["child", "young_person", "adult", ""], "description": "Their age when no date of birth is known: under 16, 16 or 17, 18 or over"}
                }},
                "Person": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "version": {"type": "integer"},
                    "contact_consent": {"enum": ["yes", "no", "not_asked"]}, "interpreter_needed": {"type": "boolean"}
                }},
                "RelationshipInput": {"type": "object", "required": ["person_id", "target", "kind", "lives_with_baby", "care_share", "contact_frequency"], "properties": {
                    "person_id": {"type": "string", "format": "uuid"},
                    "target": {"type": "string", "description": "A baby's id, or \"mother\""},
                    "kind": {"enum": ["father", "partner", "co_parent", "grandparent", "sibling", "other_relative", "friend", "foster_carer", "other"]},
                    "lives_with_baby": {"enum": ["yes", "no"]},
                    "care_share": {"enum": ["none", "some", "equal", "main_carer"]},
                    "contact_frequency": {"enum": ["daily", "several_weekly", "weekly", "fortnightly", "monthly", "less_often", "not_at_present"]},
                    "nature": {"enum": ["strong", "supportive", "tenuous", "stressful", "cut_off", ""]},
                    "started_day": {"type": "string"}, "started_month": {"type": "string"}, "started_year": {"type": "string"}
                }},
                "RestrictionInput": {"type": "object", "required": ["kind", "decided_by", "reason", "until_day", "until_month", "until_year"], "properties": {
                    "kind": {"enum": ["do_not_contact", "do_not_involve"]}, "decided_by": {"type": "string"}, "reason": {"type": "string", "maxLength": 2000},
                    "until_day": {"type": "string", "description": "The review date's day: the decision stays in force after it, shown as overdue for review"}, "until_month": {"type": "string"}, "until_year": {"type": "string"}
                }},
                "BirthInput": {"type": "object", "required": ["born_day", "born_month", "born_year"], "properties": {
                    "born_day": {"type": "string"}, "born_month": {"type": "string"}, "born_year": {"type": "string"},
                    "gestation_weeks": {"type": "string", "description": "Completed weeks, or \"34+2\""}, "gestation_days": {"type": "string"},
                    "name": {"type": "string"}, "nhs_number": {"type": "string"}
                }},
                "BreakGlass": {"type": "object", "additionalProperties": false, "required": ["reason", "code"], "properties": {"reason": {"type": "string", "minLength": 15, "maxLength": 1000}, "code": {"type": "string", "pattern": "^[0-9]{6}$", "description": "The 6-digit code the caller's authenticator app shows now"}}},
                "AuditRecord": {"type": "object", "properties": {
                    "seq": {"type": "integer"}, "at": {"type": "integer", "description": "Unix seconds"},
                    "actor_username": {"type": "string"}, "actor_role": {"type": ["string", "null"]},
                    "action": {"type": "string"}, "outcome": {"enum": ["allowed", "denied"]},
                    "source": {"type": "string"}, "break_glass_reason": {"type": ["string", "null"]}
                }}
            }
        }
    });
    document["paths"]["/api/v1/families/{id}/disclosure-actions/{action}"] =
        json!({"post": settle_disclosure_action});
    document
}

/// The relationship records' schemas (observations, moments, notes, concerns), kept apart
/// from the document's main body so that `json!` stays within its recursion limit.
fn relationship_record_schemas() -> Value {
    json!({
                "Member": {"type": "object", "description": "Who in the family: the mother, or a person around the baby",
                    "required": ["kind"], "properties": {"kind": {"enum": ["mother", "person"]}, "id": {"type": "string", "format": "uuid", "description": "The person's id, when kind is person"}}},
                "Correction": {"type": "object", "required": ["version", "reason"], "properties": {
                    "version": version_replaced("The version being replaced: 409 if someone else changed it first"),
                    "reason": {"type": "string", "maxLength": 1000, "description": "Why the record is corrected; kept with the earlier version"}
                }},
                "ObservationInput": {"type": "object", "required": ["caregiver", "setting", "observed_day", "observed_month", "observed_year"], "properties": {
                    "caregiver": {"type": "string", "description": "\"mother\" or a person's id (not anyone marked do not involve)"},
                    "baby": {"type": "string", "description": "A baby's id, or empty for all the babies"},
                    "observed_day": {"type": "string"}, "observed_month": {"type": "string"}, "observed_year": {"type": "string"},
                    "setting": {"enum": ["home", "clinic", "ward", "video"]},
                    "seen": {"type": "string", "description": "What was seen"}, "sensitivity": {"type": "string"},
                    "responsiveness": {"type": "string", "description": "Responsiveness to the baby's cues"},
                    "mind": {"type": "string", "description": "Holding the baby's needs in mind"},
                    "beliefs": {"type": "string", "description": "The caregiver's beliefs about the baby's behaviour"},
                    "tool": {"type": "string"}, "tool_version": {"type": "string"},
                    "tool_result": {"type": "string", "description": "Exactly as the tool gives it; Cradle computes no score"},
                    "trained_user": {"type": "string", "description": "Who is trained to use the tool (all four tool fields or none)"},
                    "moment": {"type": "string", "description": "A positive moment seen (only when recording, not correcting)"},
                    "baby_responses": {"type": "array", "items": {"enum": ["smile", "eye_contact", "calming", "vocalising", "other"]}},
                    "fed_back": {"type": "string", "description": "How the moment was highlighted to the caregiver (required with a moment)"}
                }},
                "MomentInput": {"type": "object", "required": ["moment", "fed_back", "observed_day", "observed_month", "observed_year"], "properties": {
                    "observed_day": {"type": "string"}, "observed_month": {"type": "string"}, "observed_year": {"type": "string"},
                    "moment": {"type": "string", "description": "What happened"},
                    "baby_responses": {"type": "array", "items": {"enum": ["smile", "eye_contact", "calming", "vocalising", "other"]}},
                    "fed_back": {"type": "string"}
                }},
                "Observation": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "caregiver": reference("Member"),
                    "baby": {"type": ["string", "null"], "format": "uuid"}, "observed_on": {"type": ["string", "null"], "format": "date"},
                    "setting": {"enum": ["home", "clinic", "ward", "video"]},
                    "descriptors": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}, "description": "[descriptor, text] pairs: seen, sensitivity, responsiveness, mind, beliefs"},
                    "tool": {"type": ["object", "null"], "properties": {"tool": {"type": "string"}, "version": {"type": "string"}, "result": {"type": "string"}, "trained_user": {"type": "string"}}},
                    "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}, "version": {"type": "integer"}
                }},
                "PositiveMoment": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "caregiver": reference("Member"),
                    "observation": {"type": ["string", "null"], "format": "uuid"}, "noticed_on": {"type": ["string", "null"], "format": "date"},
                    "what_happened": {"type": "string"},
                    "baby_responses": {"type": "array", "items": {"enum": ["smile", "eye_contact", "calming", "vocalising", "other"]}},
                    "fed_back": {"type": "string"}, "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}, "version": {"type": "integer"}
                }},
                "NoteInput": {"type": "object", "required": ["subject", "kind", "text", "noted_day", "noted_month", "noted_year"], "properties": {
                    "subject": {"type": "string", "description": "\"mother\", a person's id, or \"family\" (only for shared_understanding)"},
                    "kind": {"enum": ["experience", "support_wanted", "strength", "shared_understanding"]},
                    "text": {"type": "string", "maxLength": 5000},
                    "noted_day": {"type": "string"}, "noted_month": {"type": "string"}, "noted_year": {"type": "string"}
                }},
                "Note": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "subject": {"type": "object", "properties": {"kind": {"enum": ["caregiver", "family"]}, "member": reference("Member")}},
                    "kind": {"enum": ["experience", "support_wanted", "strength", "shared_understanding"]},
                    "text": {"type": "string"}, "noted_on": {"type": ["string", "null"], "format": "date"},
                    "recorded_by": {"type": "string"}, "recorded_at_millis": {"type": "integer"}, "version": {"type": "integer"}
                }},
                "ConcernInput": {"type": "object", "required": ["about", "kinds", "description"], "properties": {
                    "about": {"type": "string", "description": "\"mother\" or a person's id"},
                    "kinds": {"type": "array", "items": {"enum": ["crying", "anger", "exhaustion", "other"]}},
                    "description": {"type": "string", "maxLength": 5000},
                    "conversation": {"type": "string", "format": "uuid", "description": "The conversation it came up in (when raising)"}
                }},
                "ConcernAction": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "kind": {"enum": ["safety_plan", "crying_information", "safeguarding_referral", "supervisor", "other"]},
                    "reference": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
                    "recorded_at_millis": {"type": "integer"}, "recorded_by": {"type": "string"}
                }},
                "Concern": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uuid"}, "about": reference("Member"),
                    "conversation": {"type": ["string", "null"], "format": "uuid"},
                    "kinds": {"type": "array", "items": {"enum": ["crying", "anger", "exhaustion", "other"]}},
                    "description": {"type": "string"}, "raised_at_millis": {"type": "integer"}, "raised_by": {"type": "string"},
                    "actions": {"type": "array", "items": reference("ConcernAction")},
                    "closure": {"type": ["object", "null"], "properties": {"reason": {"type": "string"}, "closed_at_millis": {"type": "integer"}, "closed_by": {"type": "string"}}},
                    "version": {"type": "integer"}
                }}
    })
}

pub async fn document() -> Response {
    Json(build()).into_response()
}
