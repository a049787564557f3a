//! Group programme pages: the team's groups, setting one up, its sessions and register, and
//! enrolling a family member from the family's page.

use super::network::{parse_id, record};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, ReadRecords, Staff};
use crate::error::Failure;
use crate::form::{ByName, Form};
use crate::views::{
    form_status, render, Choice, Chrome, DateField, Errors, RadioGroup, SelectField, TextArea,
    TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cradle_app::AppError;
use cradle_app::Sections;
use cradle_domain::dates::long_date;
use cradle_domain::groups::{
    EnrolInput, Group, GroupInput, GroupRegister, GroupSessionInput, Presence, RegisterInput,
};
use cradle_domain::network::FamilyRecord;
use uuid::Uuid;

/// A family's place in a group, as the family page shows it.
pub struct MembershipView {
    pub who: String,
    pub group: String,
    pub facilitators: String,
    pub attendance: String,
}

pub fn membership_views(record: &FamilyRecord) -> Vec<MembershipView> {
    record
        .groups
        .iter()
        .map(|m| {
            let marks: Vec<String> = m
                .attendance()
                .iter()
                .map(|(s, p)| format!("{}: {}", long_date(s.on), p.label().to_lowercase()))
                .collect();
            MembershipView {
                who: record.member_name(m.enrolment.member),
                group: m.group.name.clone(),
                facilitators: m.group.facilitators.clone(),
                attendance: if marks.is_empty() {
                    "No sessions attended yet".to_string()
                } else {
                    marks.join("; ")
                },
            }
        })
        .collect()
}

// ----- The list of groups -----

pub struct GroupLine {
    pub id: String,
    pub name: String,
    pub facilitators: String,
    pub capacity: u32,
    pub next: String,
}

#[derive(Template)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    pub chrome: Chrome,
    pub groups: Vec<GroupLine>,
    pub may_change: bool,
}

fn next_session(group: &Group, today: time::Date) -> String {
    group
        .sessions
        .iter()
        .find(|s| s.on >= today)
        .map(|s| format!("Next session {}", long_date(s.on)))
        .unwrap_or_else(|| "No sessions to come".to_string())
}

pub async fn groups(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
) -> Result<Response, Failure> {
    let groups = state.app.groups(&staff.actor).await?;
    let today = state.app.today();
    let page = GroupsPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        groups: groups
            .iter()
            .map(|g| GroupLine {
                id: g.id.to_string(),
                name: g.name.clone(),
                facilitators: g.facilitators.clone(),
                capacity: g.capacity,
                next: next_session(g, today),
            })
            .collect(),
        may_change: staff
            .actor
            .may(cradle_domain::Permission::ChangeClinicalRecords),
    };
    Ok(render(StatusCode::OK, &page))
}

// ----- Setting up a group -----

#[derive(Template)]
#[template(path = "group_form.html")]
pub struct GroupFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub team: SelectField,
    pub choose_team: bool,
    pub name: TextField,
    pub description: TextArea,
    pub facilitators: TextField,
    pub capacity: TextField,
}

async fn group_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    input: &GroupInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let teams: Vec<Choice> = state
        .app
        .teams()
        .await?
        .into_iter()
        .filter(|t| staff.actor.teams.contains(&t.id))
        .map(|t| Choice {
            code: t.id.to_string(),
            selected: input.team == t.id.to_string(),
            label: t.name,
        })
        .collect();
    let page = GroupFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        choose_team: teams.len() > 1,
        team: SelectField {
            id: "team",
            label: "Which team runs it?",
            options: teams,
        },
        name: TextField::new("name", "Name of the group", &input.name)
            .hint("For example, “Fathers' group, spring 2027”"),
        description: TextArea::new(
            "description",
            "What it is for (optional)",
            &input.description,
        ),
        facilitators: TextField::new("facilitators", "Who runs it", &input.facilitators),
        capacity: TextField::new("capacity", "How many people can it take?", &input.capacity)
            .width("nhsuk-input--width-3"),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn new_group(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
) -> Result<Response, Failure> {
    group_form(&state, &staff, &GroupInput::default(), Errors::default()).await
}

pub async fn create_group(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Form(input): Form<GroupInput>,
) -> Result<Response, Failure> {
    match state.app.create_group(&staff.actor, &input).await {
        Ok(group) => Ok(see_other(&format!("/groups/{}", group.id))),
        Err(AppError::Invalid(problems)) => {
            group_form(&state, &staff, &input, Errors::from_problems(&problems)).await
        }
        Err(other) => Err(other.into()),
    }
}

// ----- A group's page and register -----

pub struct SessionLine {
    pub id: String,
    pub when: String,
    pub topic: String,
    pub taken: bool,
    pub present: usize,
    /// A session still to come: its register is taken on the day or after.
    pub to_come: bool,
}

pub struct MemberLine {
    pub name: String,
    pub family_id: String,
    pub marks: Vec<String>,
}

#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub id: String,
    pub name: String,
    pub description: String,
    pub facilitators: String,
    pub places: String,
    pub sessions: Vec<SessionLine>,
    pub members: Vec<MemberLine>,
    pub may_change: bool,
    pub on: DateField,
    pub topic: TextField,
}

fn group_page(
    state: &WebState,
    staff: &crate::auth::Authenticated,
    register: &GroupRegister,
    input: &GroupSessionInput,
    errors: Errors,
) -> Response {
    let group = &register.group;
    let today = state.app.today();
    let page = GroupPage {
        chrome: Chrome::new(Some(staff), state.demo),
        id: group.id.to_string(),
        name: group.name.clone(),
        description: group.description.clone(),
        facilitators: group.facilitators.clone(),
        places: format!(
            "{} of {} places taken",
            register.enrolments.len(),
            group.capacity
        ),
        sessions: group
            .sessions
            .iter()
            .map(|s| {
                let marks: Vec<_> = register
                    .marks
                    .iter()
                    .filter(|m| m.session == s.id)
                    .collect();
                SessionLine {
                    id: s.id.to_string(),
                    when: long_date(s.on),
                    topic: s.topic.clone(),
                    taken: !marks.is_empty(),
                    present: marks
                        .iter()
                        .filter(|m| m.presence == Presence::Attended)
                        .count(),
                    to_come: s.on > today,
                }
            })
            .collect(),
        members: register
            .enrolments
            .iter()
            .map(|e| MemberLine {
                name: e.name.clone(),
                family_id: e.family_id.to_string(),
                marks: group
                    .sessions
                    .iter()
                    .map(|s| {
                        register
                            .marks
                            .iter()
                            .find(|m| m.session == s.id && m.enrolment == e.id)
                            .map(|m| m.presence.label().to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
            })
            .collect(),
        may_change: staff
            .actor
            .may(cradle_domain::Permission::ChangeClinicalRecords),
        on: DateField::new(
            "on",
            "Date of the session",
            ["on_day", "on_month", "on_year"],
            [&input.on_day, &input.on_month, &input.on_year],
        ),
        topic: TextField::new("topic", "Topic (optional)", &input.topic),
        errors,
    };
    render(form_status(&page.errors), &page)
}

fn group_id(text: &str) -> Result<Uuid, Failure> {
    parse_id(text.parse::<Uuid>().ok())
}

pub async fn group(
    State(state): State<WebState>,
    staff: Staff<ReadRecords>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let register = state
        .app
        .group_register(&staff.actor, group_id(&id)?)
        .await?;
    Ok(group_page(
        &state,
        &staff.authenticated(),
        &register,
        &GroupSessionInput::default(),
        Errors::default(),
    ))
}

pub async fn add_session(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path(id): Path<String>,
    Form(input): Form<GroupSessionInput>,
) -> Result<Response, Failure> {
    let id = group_id(&id)?;
    match state.app.add_group_session(&staff.actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/groups/{id}"))),
        Err(AppError::Invalid(problems)) => {
            let register = state.app.group_register(&staff.actor, id).await?;
            Ok(group_page(
                &state,
                &staff.authenticated(),
                &register,
                &input,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

pub struct RegisterLine {
    pub enrolment: String,
    pub name: String,
    pub options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "group_register.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub group_id: String,
    pub session_id: String,
    pub name: String,
    pub when: String,
    pub lines: Vec<RegisterLine>,
}

fn register_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    register: &GroupRegister,
    session: Uuid,
    typed: &RegisterInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let found = parse_id(register.group.session(session))?;
    let page = RegisterPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        group_id: register.group.id.to_string(),
        session_id: session.to_string(),
        name: register.group.name.clone(),
        when: long_date(found.on),
        lines: register
            .enrolments
            .iter()
            .map(|e| {
                let chosen = typed
                    .marks
                    .iter()
                    .find(|(id, _)| *id == e.id.to_string())
                    .map(|(_, p)| p.clone())
                    .or_else(|| {
                        register
                            .marks
                            .iter()
                            .find(|m| m.session == session && m.enrolment == e.id)
                            .map(|m| m.presence.code().to_string())
                    })
                    .unwrap_or_default();
                RegisterLine {
                    enrolment: e.id.to_string(),
                    name: e.name.clone(),
                    options: Choice::list(Presence::ALL, Presence::code, Presence::label, &chosen),
                }
            })
            .collect(),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn register_form(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((id, session)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let register = state
        .app
        .group_register(&staff.actor, group_id(&id)?)
        .await?;
    register_page(
        &state,
        &staff,
        &register,
        group_id(&session)?,
        &RegisterInput::default(),
        Errors::default(),
    )
}

/// A register as its form sends it: each member's presence as `presence-{enrolment}`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    #[serde(flatten)]
    marks: ByName,
}

impl From<RegisterForm> for RegisterInput {
    fn from(form: RegisterForm) -> Self {
        RegisterInput {
            marks: form
                .marks
                .into_iter()
                .filter_map(|(k, v)| k.strip_prefix("presence-").map(|e| (e.to_string(), v)))
                .collect(),
        }
    }
}

pub async fn take_register(
    State(state): State<WebState>,
    staff: Staff<ChangeRecords>,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<RegisterForm>,
) -> Result<Response, Failure> {
    let (id, session) = (group_id(&id)?, group_id(&session)?);
    let input = RegisterInput::from(form);
    match state
        .app
        .take_register(&staff.actor, id, session, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/groups/{id}"))),
        Err(AppError::Invalid(problems)) => {
            let register = state.app.group_register(&staff.actor, id).await?;
            register_page(
                &state,
                &staff,
                &register,
                session,
                &input,
                Errors::from_problems(&problems),
            )
        }
        Err(other) => Err(other.into()),
    }
}

// ----- Enrolling from the family page -----

#[derive(Template)]
#[template(path = "enrol_form.html")]
pub struct EnrolPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub member: RadioGroup,
    pub group: SelectField,
    pub no_groups: bool,
}

async fn enrol_page(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &EnrolInput,
    errors: Errors,
) -> Result<Response, Failure> {
    let today = state.app.today();
    let groups: Vec<Group> = state
        .app
        .groups(&staff.actor)
        .await?
        .into_iter()
        .filter(|g| g.team_id == family.family.team_id)
        .collect();
    let mut options = vec![Choice {
        code: String::new(),
        label: "Select a group".to_string(),
        selected: input.group.is_empty(),
    }];
    options.extend(groups.iter().map(|g| Choice {
        code: g.id.to_string(),
        label: format!(
            "{} ({})",
            g.name,
            cradle_domain::text::lower_first(&next_session(g, today))
        ),
        selected: input.group == g.id.to_string(),
    }));
    let page = EnrolPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        member: RadioGroup {
            id: "member",
            legend: "Who is joining the group?",
            options: super::member_choices(family, &input.member, true),
            inline: false,
        },
        group: SelectField {
            id: "group",
            label: "Group",
            options,
        },
        no_groups: groups.is_empty(),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn enrol_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
    enrol_page(
        &state,
        &staff,
        &family,
        &EnrolInput::default(),
        Errors::default(),
    )
    .await
}

pub async fn enrol(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<EnrolInput>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    match state
        .app
        .enrol_in_group(&staff.actor, &access, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/families/{id}#groups"))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
            enrol_page(
                &state,
                &staff,
                &family,
                &input,
                Errors::from_problems(&problems),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/groups", get(groups).post(create_group))
        .route("/groups/new", get(new_group))
        .route("/groups/{group}", get(group))
        .route("/groups/{group}/sessions", post(add_session))
        .route(
            "/groups/{group}/sessions/{session}/register",
            get(register_form).post(take_register),
        )
        .route("/families/{id}/groups/enrol", get(enrol_form))
        .route("/families/{id}/groups", post(enrol))
}
