//! A page's form, read into a typed struct by `serde_html_form`: a field named once fills a
//! `String`, a field a browser repeats (ticked checkboxes) fills a `Vec<String>`, and fields the
//! struct does not name are ignored. A form sent with `GET` (a filter, a choice of people to
//! print for) is read from the address instead.
//!
//! The form structs keep every answer as typed text, so a form from Cradle's own pages always
//! reads: the domain's `parse` decides what it means and the page is shown again with the
//! problems and what was typed. A body that cannot be read at all (a field sent twice where
//! one answer is expected, a number field that is not a number in a hidden field) was not sent
//! by Cradle's page; it is refused with a plain 400 and nothing is saved.

use crate::error::{Failure, Problem};
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A form's answers as `T`. The extractor for every page form that changes the record.
#[derive(Debug, Clone, Default)]
pub struct Form<T>(pub T);

impl<S, T> FromRequest<S> for Form<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Failure;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if request.method() == Method::GET || request.method() == Method::HEAD {
            let query = request.uri().query().unwrap_or_default();
            return read(query.as_bytes()).map(Form);
        }
        let bytes = axum::body::to_bytes(request.into_body(), crate::MAX_BODY_BYTES)
            .await
            .map_err(|_| Failure(Problem::PayloadTooLarge))?;
        read(&bytes).map(Form)
    }
}

/// Fields whose names carry an id (`score-{goal}-{member}`, `mark_{member}`), in the order the
/// page sent them: a form struct takes them with `#[serde(flatten)]`, and with them every field
/// it does not name (the CSRF token among them), so it picks out its own by their prefix.
pub type ByName = indexmap::IndexMap<String, String>;

/// A form that records an entry or changes one already recorded: the entry as typed, and for a
/// change the version it was made to (so a change saved meanwhile by someone else is not
/// overwritten) and why. A list inside `T` reads one ticked box only with
/// `cradle_domain::ticked::boxes`, as `T` is taken in whole.
#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "T: DeserializeOwned + Default"))]
pub struct Amending<T> {
    #[serde(flatten)]
    pub entry: T,
    pub version: i64,
    pub reason: String,
}

/// `T` from an `application/x-www-form-urlencoded` text, or the 400 that explains why not.
pub fn read<T: DeserializeOwned>(encoded: &[u8]) -> Result<T, Failure> {
    serde_html_form::from_bytes(encoded).map_err(|error| {
        Failure(Problem::BadRequest(format!(
            "The form's answers could not be read ({error}): a field was sent twice, or a hidden \
             field was changed. Go back to the page, reload it and try again."
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Typed {
        name: String,
        ticked: Vec<String>,
        version: u64,
    }

    #[test]
    fn a_form_reads_into_its_fields_with_repeats_as_a_list() {
        let typed: Typed =
            read(b"name=Aisha+Begum%20%26+co&ticked=mother&ticked=a1&other=x&csrf_token=t")
                .unwrap();
        assert_eq!(typed.name, "Aisha Begum & co");
        assert_eq!(typed.ticked, ["mother", "a1"]);
        assert_eq!(typed.version, 0, "a field not sent is left empty");
    }

    #[test]
    fn one_ticked_box_is_a_list_of_one_and_none_is_empty() {
        let one: Typed = read(b"ticked=mother").unwrap();
        assert_eq!(one.ticked, ["mother"]);
        let none: Typed = read(b"name=x").unwrap();
        assert!(none.ticked.is_empty());
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Entry {
        words: String,
        #[serde(deserialize_with = "cradle_domain::ticked::boxes")]
        who: Vec<String>,
    }

    #[test]
    fn a_change_reads_the_entry_with_its_version_and_reason() {
        let one: Amending<Entry> =
            read(b"words=Calmer&who=mother&version=3&reason=Wrong+date").unwrap();
        assert_eq!(one.entry.words, "Calmer");
        assert_eq!(one.entry.who, ["mother"], "one ticked box is a list of one");
        assert_eq!((one.version, one.reason.as_str()), (3, "Wrong date"));
        let two: Amending<Entry> = read(b"who=mother&who=p1").unwrap();
        assert_eq!(two.entry.who, ["mother", "p1"]);
        assert_eq!(two.version, 0, "a new entry sends no version");
    }

    #[test]
    fn a_form_that_cannot_be_read_is_refused_with_a_reason() {
        for body in [&b"name=a&name=b"[..], b"version=seven"] {
            let Err(Failure(Problem::BadRequest(why))) = read::<Typed>(body) else {
                panic!("{body:?} should be refused");
            };
            assert!(why.contains("could not be read"), "{why}");
        }
    }
}
