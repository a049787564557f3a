//! JSON in and out of the API. A body is read as axum's `Json` would, except that a whole
//! number written with a fraction (`1.0`), which JSON Schema counts as an integer and so the
//! API document allows, is taken as that integer; and a field the OpenAPI document does not
//! list for the operation, at any depth, is refused rather than quietly ignored, so what a
//! client sends is either understood or answered with the field's name.

use crate::error::{Failure, Problem};
use axum::extract::{FromRequest, MatchedPath, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// A JSON body (extracted) or answer (returned).
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let operation = request.extensions().get::<MatchedPath>().map(|path| {
            (
                request.method().as_str().to_ascii_lowercase(),
                path.as_str().to_string(),
            )
        });
        let axum::Json(mut value) = axum::Json::<Value>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        whole_numbers_as_integers(&mut value);
        // Deny by default: a body the document does not describe is not read at all.
        let Some(shape) = operation.and_then(|key| body_shapes().get(&key)) else {
            return Err(Failure(Problem::BadRequest(
                "This operation takes no body (the API document lists those that do)".into(),
            ))
            .into_response());
        };
        if let Some(field) = shape.unknown_field(&value, "") {
            return Err(Failure(Problem::BadRequest(format!(
                "\"{field}\" is not a field this operation takes (the API document lists those it does)"
            )))
            .into_response());
        }
        // A value of the wrong JSON type (text where a number goes) is a request not
        // understood, 400; a value of the right type that does not fit (a date that is not
        // one, a choice not offered, a field left out) is answered like any other problem
        // with what was sent: 422, saying what does not fit.
        serde_json::from_value(value).map(Json).map_err(|error| {
            let explained = format!(
                "The body does not fit what the operation takes: {error} (the API document says what each field holds)"
            );
            Failure(if error.to_string().starts_with("invalid type") {
                Problem::BadRequest(explained)
            } else {
                Problem::Invalid(cradle_domain::Problems(vec![cradle_domain::Invalid::new(
                    "body", explained,
                )]))
            })
            .into_response()
        })
    }
}

/// `2.0` becomes `2`, wherever it is; `2.5` stays as it is (and is refused where a whole
/// number is wanted).
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(whole) = number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0)
            {
                // The range check above keeps the conversion exact.
                #[allow(clippy::cast_possible_truncation)]
                let whole = whole as i64;
                *number = Number::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Which fields a request body may hold, read from the OpenAPI document: an object's named
/// fields (and, for a map, what each entry may hold), an array's items, or anything at all
/// where the document leaves a value free-form. Types and values are not checked here; the
/// handler's own types do that.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyShape {
    /// A value the document gives no fields for (text, numbers, true or false).
    Plain,
    /// A value the document leaves free-form: any fields at all.
    Free,
    Object {
        fields: BTreeMap<String, BodyShape>,
        /// For a map: what every entry holds, whatever its name.
        entries: Option<Box<BodyShape>>,
    },
    Array(Box<BodyShape>),
}

impl BodyShape {
    /// The shape a schema of `document` describes, following `$ref`, `allOf`, `oneOf` and
    /// `anyOf` (a field any branch names is taken).
    pub fn of(schema: &Value, document: &Value) -> BodyShape {
        Self::read(schema, document, &mut Vec::new())
    }

    /// `within`: the `$ref`s being read, outermost first. A schema that refers to itself (a
    /// FHIR item holding items) takes whatever the outer reading allows at the inner level.
    fn read(schema: &Value, document: &Value, within: &mut Vec<String>) -> BodyShape {
        let Some(schema) = schema.as_object() else {
            return BodyShape::Free;
        };
        let mut shape = BodyShape::Plain;
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            if within.iter().any(|outer| outer == name) {
                return BodyShape::Free;
            }
            if let Some(target) = name
                .strip_prefix('#')
                .and_then(|pointer| document.pointer(pointer))
            {
                within.push(name.to_string());
                shape = shape.merge(Self::read(target, document, within));
                within.pop();
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for branch in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                shape = shape.merge(Self::read(branch, document, within));
            }
        }
        let fields: BTreeMap<String, BodyShape> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .map(|(name, field)| (name.clone(), Self::read(field, document, within)))
                    .collect()
            })
            .unwrap_or_default();
        let entries = match schema.get("additionalProperties") {
            Some(each @ Value::Object(_)) => Some(Box::new(Self::read(each, document, within))),
            Some(Value::Bool(true)) => Some(Box::new(BodyShape::Free)),
            _ => None,
        };
        let is_object = schema.contains_key("properties")
            || entries.is_some()
            || crate::openapi::allows_type(schema, "object");
        if is_object {
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            let own = if !fields.is_empty() || entries.is_some() || closed {
                BodyShape::Object { fields, entries }
            } else if shape == BodyShape::Plain {
                // An object the document describes no further is free-form.
                BodyShape::Free
            } else {
                // Described by its `$ref`, `allOf`, `oneOf` or `anyOf`.
                BodyShape::Plain
            };
            shape = shape.merge(own);
        }
        if let Some(items) = schema.get("items") {
            shape = shape.merge(BodyShape::Array(Box::new(Self::read(
                items, document, within,
            ))));
        }
        shape
    }

    fn merge(self, other: BodyShape) -> BodyShape {
        match (self, other) {
            (BodyShape::Plain, shape) | (shape, BodyShape::Plain) => shape,
            (BodyShape::Free, _) | (_, BodyShape::Free) => BodyShape::Free,
            (
                BodyShape::Object {
                    mut fields,
                    entries,
                },
                BodyShape::Object {
                    fields: more,
                    entries: more_entries,
                },
            ) => {
                for (name, shape) in more {
                    let merged = match fields.remove(&name) {
                        Some(existing) => existing.merge(shape),
                        None => shape,
                    };
                    fields.insert(name, merged);
                }
                let entries = match (entries, more_entries) {
                    (Some(a), Some(b)) => Some(Box::new(a.merge(*b))),
                    (a, b) => a.or(b),
                };
                BodyShape::Object { fields, entries }
            }
            (BodyShape::Array(a), BodyShape::Array(b)) => BodyShape::Array(Box::new(a.merge(*b))),
            // An object in one branch and an array in another: either may come.
            _ => BodyShape::Free,
        }
    }

    /// The first field of `value` the shape does not list, named by its place in the body
    /// (`answers[2].extra`).
    pub fn unknown_field(&self, value: &Value, at: &str) -> Option<String> {
        match (self, value) {
            (BodyShape::Object { fields, entries }, Value::Object(given)) => {
                given.iter().find_map(|(name, inner)| {
                    let place = if at.is_empty() {
                        name.clone()
                    } else {
                        format!("{at}.{name}")
                    };
                    match fields.get(name).or(entries.as_deref()) {
                        Some(shape) => shape.unknown_field(inner, &place),
                        None => Some(place),
                    }
                })
            }
            (BodyShape::Array(item), Value::Array(items)) => items
                .iter()
                .enumerate()
                .find_map(|(i, inner)| item.unknown_field(inner, &format!("{at}[{i}]"))),
            _ => None,
        }
    }
}

/// The body shape of every operation that takes one, by (method, path) as the document
/// writes them.
pub fn body_shapes() -> &'static HashMap<(String, String), BodyShape> {
    static SHAPES: OnceLock<HashMap<(String, String), BodyShape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let document = crate::openapi::document_value();
        let mut shapes = HashMap::new();
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if let Some(schema) =
                    operation.pointer("/requestBody/content/application~1json/schema")
                {
                    shapes.insert(
                        (method.clone(), path.clone()),
                        BodyShape::of(schema, document),
                    );
                }
            }
        }
        shapes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        let mut value = serde_json::json!({"version": 3.0, "items": [1.0, 2.5], "name": "x"});
        whole_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"version": 3, "items": [1, 2.5], "name": "x"})
        );
        #[derive(serde::Deserialize)]
        struct Versioned {
            version: i64,
        }
        let read: Versioned = serde_json::from_value(value).unwrap();
        assert_eq!(read.version, 3);
    }

    #[test]
    fn a_field_the_document_does_not_list_is_named_at_any_depth() {
        let document = serde_json::json!({"components": {"schemas": {
            "Rating": {"type": "object", "properties": {"goal": {"type": "string"}, "score": {"type": "string"}}},
            "Review": {"type": "object", "properties": {
                "ratings": {"type": "array", "items": {"$ref": "#/components/schemas/Rating"}},
                "sections": {"type": "object", "additionalProperties": {"type": "string"}},
                "definition": {"type": "object"}
            }},
            "Correction": {"type": "object", "properties": {"version": {"type": "integer"}}}
        }}});
        let body = serde_json::json!({"allOf": [
            {"$ref": "#/components/schemas/Review"},
            {"$ref": "#/components/schemas/Correction"}
        ]});
        let shape = BodyShape::of(&body, &document);
        let understood = serde_json::json!({
            "version": 2,
            "ratings": [{"goal": "a", "score": "3"}],
            "sections": {"any name": "text"},
            "definition": {"whatever": {"it": "holds"}}
        });
        assert_eq!(shape.unknown_field(&understood, ""), None);
        let extra_at_top = serde_json::json!({"version": 2, "colour": "red"});
        assert_eq!(
            shape.unknown_field(&extra_at_top, ""),
            Some("colour".into())
        );
        // An object typed beside the parts it is made of is those parts, not free-form; an
        // object closed with no fields takes none.
        let typed_beside = serde_json::json!({"type": "object", "allOf": [{"$ref": "#/components/schemas/Correction"}]});
        let typed_beside = BodyShape::of(&typed_beside, &document);
        assert_eq!(
            typed_beside.unknown_field(&serde_json::json!({"version": 1, "colour": "red"}), ""),
            Some("colour".into())
        );
        let empty = BodyShape::of(
            &serde_json::json!({"type": "object", "additionalProperties": false}),
            &document,
        );
        assert_eq!(
            empty.unknown_field(&serde_json::json!({"any": 1}), ""),
            Some("any".into())
        );
        let extra_in_item =
            serde_json::json!({"ratings": [{"goal": "a"}, {"goal": "b", "by": "x"}]});
        assert_eq!(
            shape.unknown_field(&extra_in_item, ""),
            Some("ratings[1].by".into())
        );
    }

    #[test]
    fn every_operation_that_takes_a_body_has_its_fields_listed() {
        let shapes = body_shapes();
        let document = crate::openapi::build();
        let with_bodies = crate::api::OPERATIONS
            .iter()
            .filter(|(method, path)| {
                // A recording's bytes are not JSON: only JSON bodies have fields.
                document["paths"][*path][*method]
                    .pointer("/requestBody/content/application~1json")
                    .is_some()
            })
            .count();
        assert!(
            with_bodies > 40,
            "only {with_bodies} operations take a body"
        );
        assert_eq!(shapes.len(), with_bodies);
        for ((method, path), shape) in shapes {
            assert!(
                matches!(shape, BodyShape::Object { .. }),
                "{method} {path} takes a body the document leaves free-form"
            );
        }
    }
}
