//! What the API's request bodies have in common: ISO dates, booleans and choices come in,
//! and the domain's input (the fields a form sends, day, month and year apart) goes on to
//! the same checks the pages use. A problem the domain finds is named by the API's field.

use crate::error::{Failure, Problem};
use cradle_app::AppError;
use cradle_domain::{Invalid, Problems};
use serde::Deserialize;
use utoipa::ToSchema;

/// A request body, turned into the domain's input.
pub trait ApiBody: Sized {
    type Input;

    /// Fields the domain names differently from the API, as (the domain's, the API's): a
    /// date's boxes share one name in the domain (`agreed`), the API's date another
    /// (`agreed_on`).
    const RENAMED: &'static [(&'static str, &'static str)] = &[];

    /// The domain's input, or the problems with the API's own fields (a date that is not
    /// one), each named as the API names it.
    fn into_input(self) -> Result<Self::Input, Failure>;

    /// A failure of the change, its problems named by the API's fields.
    fn fields(error: AppError) -> Failure {
        renamed(error, Self::RENAMED)
    }
}

/// A failure of a change, its problems named by the API's fields: `renamed` holds (the
/// domain's name, the API's name) for each field the two name differently.
pub fn renamed(error: AppError, renamed: &[(&'static str, &'static str)]) -> Failure {
    match error {
        AppError::Invalid(problems) => Failure(Problem::Invalid(Problems(
            problems
                .0
                .into_iter()
                .map(|problem| Invalid {
                    field: renamed
                        .iter()
                        .find(|(domain, _)| *domain == problem.field)
                        .map_or(problem.field, |(_, api)| api),
                    message: problem.message,
                })
                .collect(),
        ))),
        other => Failure::from(other),
    }
}

/// An ISO 8601 date ("2026-11-26"); none when left empty, and anything that is not a date
/// is a problem with `field`.
pub fn iso_date(field: &'static str, text: &str, problems: &mut Problems) -> Option<time::Date> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text, format) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.push(Invalid::new(
                field,
                format!(
                    "{field} must be a real date written as year-month-day, for example 2026-11-26"
                ),
            ));
            None
        }
    }
}

/// An ISO 8601 date as the day, month and year a form sends, so the domain checks it as it
/// checks a form's (empty when left empty or not a date, the latter a problem with `field`).
pub fn date_boxes(
    field: &'static str,
    text: &str,
    problems: &mut Problems,
) -> (String, String, String) {
    match iso_date(field, text, problems) {
        Some(date) => (
            date.day().to_string(),
            u8::from(date.month()).to_string(),
            date.year().to_string(),
        ),
        None => Default::default(),
    }
}

/// Problems found in the API's own fields stop the request before the domain sees it.
pub fn checked<T>(input: T, problems: Problems) -> Result<T, Failure> {
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(Failure(Problem::Invalid(problems)))
    }
}

/// "yes" or blank, as a form's single checkbox sends a boolean (ticked or not).
pub fn yes_or_blank(answer: bool) -> String {
    if answer { "yes" } else { "" }.to_string()
}

/// "yes" or "no", as a form's radios send a boolean; empty when not answered.
pub fn yes_no(answer: Option<bool>) -> String {
    match answer {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
    .to_string()
}

/// A choice's code, or empty when not given.
pub fn code<C: Copy>(choice: Option<C>, code: impl Fn(C) -> &'static str) -> String {
    choice.map(code).unwrap_or_default().to_string()
}

/// Whether a professional interpreter was used at a contact with family members, asked
/// at every contact where someone there needs one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct InterpreterAnswers {
    /// Whether a professional interpreter was used; required (422 otherwise) when someone
    /// at the contact needs one.
    pub interpreter_used: Option<bool>,
    /// When one was used: the language they interpreted (up to 100 characters; read only
    /// when one was used).
    pub interpreter_language: String,
    /// When one was used: how they took part.
    pub interpreter_how: Option<cradle_domain::interpreters::InterpreterMode>,
}

impl InterpreterAnswers {
    /// The domain's names for these answers, renamed for the API.
    pub const RENAMED: (&'static str, &'static str) = ("interpreter", "interpreter_used");

    pub fn into_input(self) -> cradle_domain::interpreters::InterpreterInput {
        cradle_domain::interpreters::InterpreterInput {
            interpreter: yes_no(self.interpreter_used),
            interpreter_language: self.interpreter_language,
            interpreter_how: code(self.interpreter_how, |how| how.code()),
        }
    }
}

/// A path's ids, described for the API document: the handlers read the path themselves
/// (through `FamilyScoped` or `Path`), so the struct is never built.
macro_rules! path_ids {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident,)+ }) => {
        $(#[$doc])*
        #[derive(utoipa::IntoParams)]
        #[into_params(parameter_in = Path)]
        #[expect(
            dead_code,
            reason = "describes the path for the API document; handlers read it themselves"
        )]
        pub(crate) struct $name {
            $($(#[$field_doc])* $field: uuid::Uuid,)+
        }
    };
}

pub(crate) use path_ids;

path_ids!(
    /// A family's record, by its id in the path.
    FamilyPath {
    /// The family's id.
    id,
});

path_ids!(
    /// A team, by its id in the path.
    TeamPath {
    /// The team's id.
    id,
});
