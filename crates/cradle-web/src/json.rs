//! JSON in and out of the API. A body is read as axum's `Json` would, except that a whole
//! number written with a fraction (`1.0`), which JSON Schema counts as an integer and so the
//! API document allows, is taken as that integer.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

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
        let axum::Json(mut value) = axum::Json::<Value>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        whole_numbers_as_integers(&mut value);
        serde_json::from_value(value).map(Json).map_err(|error| {
            (
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                format!("Failed to deserialize the JSON body into the target type: {error}"),
            )
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
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
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
}
