//! Page templates (askama) and the pieces every page shares: the header and navigation
//! ("chrome"), the error summary and form fields that keep what was typed.

use crate::assets;
use crate::auth::Authenticated;
use crate::error::Problem;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cradle_domain::{Permission, Problems};

pub struct UserLine {
    pub name: String,
    pub role: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
}

/// What the layout needs: who is signed in, their menu, the CSRF token and asset URLs.
pub struct Chrome {
    pub user: Option<UserLine>,
    pub nav: Vec<NavItem>,
    pub csrf_token: String,
    pub demo: bool,
    pub nhs_css: String,
    pub cradle_css: String,
    pub init_js: String,
}

impl Chrome {
    pub fn new(signed_in: Option<&Authenticated>, demo: bool) -> Self {
        let mut nav = Vec::new();
        if let Some(auth) = signed_in {
            nav.push(NavItem {
                href: "/",
                label: "Home",
            });
            if auth.actor.may(Permission::ReadClinicalRecords) {
                nav.push(NavItem {
                    href: "/families",
                    label: "Families",
                });
            }
            if auth.actor.may(Permission::ReadClinicalRecords) {
                nav.push(NavItem {
                    href: "/groups",
                    label: "Groups",
                });
            }
            if auth.actor.may(Permission::ManageTeamPractice) {
                nav.push(NavItem {
                    href: "/teams",
                    label: "Team settings",
                });
            }
            if auth.actor.may(Permission::ManageUsers) {
                nav.push(NavItem {
                    href: "/admin/staff",
                    label: "Staff accounts",
                });
            }
            if auth.actor.may(Permission::ManageTeams) {
                nav.push(NavItem {
                    href: "/admin/teams",
                    label: "Teams",
                });
            }
        }
        Self {
            user: signed_in.map(|auth| UserLine {
                name: auth.actor.display_name.clone(),
                role: auth.actor.role.label().to_string(),
            }),
            nav,
            csrf_token: signed_in.map(|a| a.csrf_token.clone()).unwrap_or_default(),
            demo,
            nhs_css: assets::url("nhsuk-frontend.min.css"),
            cradle_css: assets::url("cradle.css"),
            init_js: assets::url("cradle-init.mjs"),
        }
    }
}

pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The problems with a submitted form, for the error summary and each field's message.
#[derive(Default)]
pub struct Errors {
    pub list: Vec<FieldError>,
}

impl Errors {
    pub fn from_problems(problems: &Problems) -> Self {
        Self {
            list: problems
                .0
                .iter()
                .map(|p| FieldError {
                    field: anchor(p.field),
                    message: p.message.clone(),
                })
                .collect(),
        }
    }
    pub fn one(field: &str, message: &str) -> Self {
        Self {
            list: vec![FieldError {
                field: anchor(field),
                message: message.to_string(),
            }],
        }
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        let anchor = anchor(field);
        self.list
            .iter()
            .find(|e| e.field == anchor)
            .map(|e| e.message.as_str())
    }
}

/// The id a summary link jumps to: a date's first box, a radio group's first option.
fn anchor(field: &str) -> String {
    field.to_string()
}

/// A text input as typed, with its label and hint.
pub struct TextField {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub kind: &'static str,
    pub width: &'static str,
    pub autocomplete: &'static str,
}

impl TextField {
    pub fn new(id: &'static str, label: &'static str, value: &str) -> Self {
        Self {
            id,
            label,
            hint: "",
            value: value.to_string(),
            kind: "text",
            width: "nhsuk-u-width-two-thirds",
            autocomplete: "off",
        }
    }
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
    pub fn width(mut self, width: &'static str) -> Self {
        self.width = width;
        self
    }
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    /// What the browser may fill in (`new-password` lets a password manager offer one).
    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }
}

/// A date in the NHS three-box pattern, as typed.
pub struct DateField {
    pub id: &'static str,
    pub legend: &'static str,
    pub day_name: &'static str,
    pub month_name: &'static str,
    pub year_name: &'static str,
    pub day: String,
    pub month: String,
    pub year: String,
}

pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

impl DateField {
    /// A date input whose boxes are named `{prefix}_day`, `{prefix}_month`, `{prefix}_year`.
    pub fn new(
        id: &'static str,
        legend: &'static str,
        names: [&'static str; 3],
        typed: [&str; 3],
    ) -> Self {
        Self {
            id,
            legend,
            day_name: names[0],
            month_name: names[1],
            year_name: names[2],
            day: typed[0].to_string(),
            month: typed[1].to_string(),
            year: typed[2].to_string(),
        }
    }
}

impl Choice {
    /// The options of a short list, with the one typed (by code) selected.
    pub fn list<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
        typed: &str,
    ) -> Vec<Choice> {
        all.iter()
            .map(|item| Choice {
                code: code(*item).to_string(),
                label: label(*item).to_string(),
                selected: code(*item) == typed,
            })
            .collect()
    }

    pub fn yes_no(typed: &str) -> Vec<Choice> {
        [("yes", "Yes"), ("no", "No")]
            .into_iter()
            .map(|(code, label)| Choice {
                code: code.to_string(),
                label: label.to_string(),
                selected: typed == code,
            })
            .collect()
    }
}

/// A set of radio buttons, as typed.
pub struct RadioGroup {
    pub id: &'static str,
    pub legend: &'static str,
    pub options: Vec<Choice>,
    pub inline: bool,
}

/// A set of checkboxes (any number may be ticked), as typed.
pub struct CheckboxGroup {
    pub id: &'static str,
    pub legend: &'static str,
    pub hint: &'static str,
    pub options: Vec<Choice>,
}

/// A box for free text, as typed.
pub struct TextArea {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub rows: u8,
}

impl TextArea {
    pub fn new(id: &'static str, label: &'static str, value: &str) -> Self {
        Self {
            id,
            label,
            hint: "",
            value: value.to_string(),
            rows: 4,
        }
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
}

/// A drop-down list, as typed. The first option is usually "Select…" with an empty code.
pub struct SelectField {
    pub id: &'static str,
    pub label: &'static str,
    pub options: Vec<Choice>,
}

pub struct TeamChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// A form page's status: 200 when first shown, 422 when shown again with problems.
pub fn form_status(errors: &Errors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Renders a template as an HTML response with the given status.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, html).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service. Try again later.",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub detail: String,
    pub status: u16,
    pub break_glass_href: Option<String>,
    pub signed_in: bool,
}

pub fn error_page(chrome: Chrome, problem: &Problem) -> Response {
    let break_glass_href = match problem {
        Problem::OtherTeam {
            family: Some(id),
            break_glass_allowed: true,
        } => Some(format!("/families/{id}/break-glass")),
        _ => None,
    };
    let page = ErrorPage {
        signed_in: chrome.user.is_some(),
        chrome,
        title: problem.title(),
        detail: problem.detail(),
        status: problem.status().as_u16(),
        break_glass_href,
    };
    render(problem.status(), &page)
}

/// A count as people read it: 100000 → "100,000".
/// A QR code as inline SVG (for an authenticator app to read a key), without the XML
/// declaration an HTML page does not take.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            match svg.find("<svg") {
                Some(start) => svg[start..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "Was an interpreter used?" with its language and how, as one block of a contact's form.
pub struct InterpreterFields {
    /// Who at the contact needs one ("Piotr Kowalski (Polish)"), said above the question.
    pub needed_by: String,
    /// The sentence above the question: who needs one, and what to say.
    pub prompt: String,
    pub used: RadioGroup,
    pub language: TextField,
    pub how: RadioGroup,
}

/// The mother's preferred language and whether she needs an interpreter, as typed.
pub fn mother_language_fields(language: &str, needed: &str) -> (TextField, RadioGroup) {
    (
        TextField::new(
            "mother_language",
            "Mother's preferred language (optional)",
            language,
        )
        .hint("For example, Bengali, or British Sign Language")
        .width("nhsuk-input--width-20"),
        RadioGroup {
            id: "mother_interpreter_needed",
            legend: "Does she need an interpreter?",
            options: Choice::yes_no(if needed.is_empty() { "no" } else { needed }),
            inline: true,
        },
    )
}

impl InterpreterFields {
    /// The fields as typed; the language starts as the first needed language given.
    pub fn new(
        typed: &cradle_domain::interpreters::InterpreterInput,
        needed_by: &[String],
        language: &str,
    ) -> Self {
        use cradle_domain::interpreters::InterpreterMode;
        let prompt = match needed_by {
            [] => String::new(),
            [one] => format!("{one} needs an interpreter. Say whether one was used."),
            many => format!(
                "{} need an interpreter. If any of them took part, say whether one was used.",
                many.join(" and ")
            ),
        };
        Self {
            prompt,
            needed_by: needed_by.join(" and "),
            used: RadioGroup {
                id: "interpreter",
                legend: "Was an interpreter used?",
                options: Choice::yes_no(&typed.interpreter),
                inline: true,
            },
            language: TextField::new(
                "interpreter_language",
                "If so, in which language?",
                if typed.interpreter_language.is_empty() {
                    language
                } else {
                    &typed.interpreter_language
                },
            )
            .width("nhsuk-input--width-20"),
            how: RadioGroup {
                id: "interpreter_how",
                legend: "If so, how did they take part?",
                options: Choice::list(
                    InterpreterMode::ALL,
                    InterpreterMode::code,
                    InterpreterMode::label,
                    &typed.interpreter_how,
                ),
                inline: false,
            },
        }
    }
}

#[cfg(test)]
mod count_tests {
    use super::thousands;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
