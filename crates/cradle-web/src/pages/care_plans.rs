//! Care plan pages: agreeing a plan, its goals, recording sessions and reviews, ending the
//! plan, the plan's own page (with the chart of goal ratings), and the team's setting for
//! when reviews fall due.

use super::network::{parse_id, record};
use super::see_other;
use crate::auth::{ChangeRecords, FamilyScoped, ManageTeamPractice, ReadRecords, Staff};
use crate::error::Failure;
use crate::form::{ByName, Form};
use crate::views::{
    form_status, render, CheckboxGroup, Choice, Chrome, DateField, Errors, RadioGroup, TextArea,
    TextField,
};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cradle_app::{AppError, FamilyAccess, Sections};
use cradle_domain::care_plans::{
    Attendance, CarePlan, CloseInput, Focus, GoalArea, GoalInput, NextDue, Place, PlanInput,
    PlanKind, RatingInput, ReviewDecision, ReviewInput, ReviewStatus, SessionInput,
};
use cradle_domain::conversations::Seen;
use cradle_domain::dates::long_date;
use cradle_domain::entries::Member;
use cradle_domain::filming::FilmingPurpose;
use cradle_domain::network::FamilyRecord;
use cradle_domain::recordings::retention_field;
use cradle_domain::TeamId;
use std::sync::Arc;
use uuid::Uuid;

// ----- What the family page and the plan page show -----

pub struct GoalView {
    pub number: usize,
    pub words: String,
    pub who: String,
    pub area: &'static str,
    pub agreed: String,
    pub start: String,
    /// The rating at the last review; `None` until the goal has been reviewed.
    pub latest: Option<String>,
}

pub struct SessionView {
    pub when: String,
    pub place: &'static str,
    pub attendance: &'static str,
    pub attended: bool,
    pub who: String,
    pub goals: String,
    pub focus: &'static str,
    pub notes: String,
    pub next_contact: String,
    pub recorded_by: String,
}

pub struct ReviewView {
    pub when: String,
    pub decision: &'static str,
    pub what_changed: String,
    pub sessions: u32,
    pub ratings: Vec<String>,
    pub recorded_by: String,
}

pub struct PlanView {
    pub id: String,
    pub title: String,
    pub open: bool,
    pub review_due: bool,
    pub review_line: String,
    pub attended_line: String,
    pub next_contact: String,
    pub assessment: Option<String>,
    pub goals: Vec<GoalView>,
    pub sessions: Vec<SessionView>,
    pub reviews: Vec<ReviewView>,
    pub closure: Option<String>,
    pub after_mbu: bool,
}

fn goal_owner(record: &FamilyRecord, who: &[Member]) -> String {
    if who.is_empty() {
        "The whole family".to_string()
    } else {
        record.members_named(who)
    }
}

fn plan_title(plan: &CarePlan) -> String {
    format!(
        "{} ({}), agreed {}",
        plan.kind.label(),
        plan.focus.label().to_lowercase(),
        long_date(plan.agreed_on)
    )
}

pub fn plan_view(plan: &CarePlan, record: &FamilyRecord) -> PlanView {
    let status = plan.review_status(record.sessions_before_review);
    let attended_sessions = |count: u32| match count {
        1 => "1 attended session".to_string(),
        n => format!("{n} attended sessions"),
    };
    let review_line = match status {
        ReviewStatus::NotYet { attended, of } => format!(
            "Review after {}: {attended} attended since the {}.",
            attended_sessions(of),
            if plan.reviews.is_empty() {
                "plan began"
            } else {
                "last review"
            }
        ),
        ReviewStatus::Due { attended } => {
            format!(
                "Review due: {} since the last review.",
                attended_sessions(attended)
            )
        }
        ReviewStatus::Overdue { attended, of } => format!(
            "Review overdue: {} since the last review (due after {of}).",
            attended_sessions(attended)
        ),
    };
    let missed = plan
        .sessions
        .iter()
        .filter(|s| s.attendance != Attendance::Attended)
        .count();
    let attended_line = format!(
        "{} attended{}{}.",
        plan.attended_in_all(),
        plan.planned_sessions
            .map(|n| format!(" of {n} planned"))
            .unwrap_or_default(),
        if missed > 0 {
            format!("; {missed} not attended or cancelled (not counted)")
        } else {
            String::new()
        }
    );
    let goal_number = |id: Uuid| {
        plan.goals
            .iter()
            .position(|g| g.id == id)
            .map(|n| format!("Goal {}", n + 1))
            .unwrap_or_default()
    };
    PlanView {
        id: plan.id.to_string(),
        title: plan_title(plan),
        open: plan.is_open(),
        review_due: plan.is_open() && status.is_due(),
        review_line,
        attended_line,
        next_contact: plan
            .next_contact()
            .map(long_date)
            .unwrap_or_else(|| "None planned".to_string()),
        assessment: plan.assessment.clone(),
        goals: plan
            .goals
            .iter()
            .enumerate()
            .map(|(n, g)| {
                let describe = |r: &cradle_domain::care_plans::Rating| {
                    format!(
                        "{} out of 10 ({}, {})",
                        r.score,
                        record.member_name(r.rated_by),
                        long_date(r.rated_on)
                    )
                };
                GoalView {
                    number: n + 1,
                    words: g.words.clone(),
                    who: goal_owner(record, &g.who),
                    area: g.area.label(),
                    agreed: format!("Agreed with {} on {}", g.agreed_by, long_date(g.agreed_on)),
                    start: g.baselines().map(describe).collect::<Vec<_>>().join("; "),
                    // The newest review's ratings of it, one from each person who rated it.
                    latest: plan
                        .newest_review_ratings_of(g.id)
                        .map(|ratings| ratings.iter().map(describe).collect::<Vec<_>>().join("; ")),
                }
            })
            .collect(),
        sessions: plan
            .sessions
            .iter()
            .rev()
            .map(|s| SessionView {
                when: long_date(s.held_on),
                place: s.place.map(|p| p.label()).unwrap_or_default(),
                attendance: s.attendance.label(),
                attended: s.attendance == Attendance::Attended,
                who: if s.attendees.len() > 1 {
                    format!(
                        "{} ({})",
                        record.members_named(&s.attendees),
                        s.seen.label().to_lowercase()
                    )
                } else {
                    record.members_named(&s.attendees)
                },
                goals: s
                    .goals
                    .iter()
                    .map(|g| goal_number(*g))
                    .chain(s.interventions.iter().filter_map(|i| {
                        record
                            .interventions
                            .iter()
                            .find(|x| x.id == *i)
                            .map(|x| format!("{} ({})", x.name, record.member_name(x.member)))
                    }))
                    .collect::<Vec<_>>()
                    .join(", "),
                focus: s.focus.label(),
                notes: s.notes.clone(),
                next_contact: s.next_contact.map(long_date).unwrap_or_default(),
                recorded_by: s.recorded_by.clone(),
            })
            .collect(),
        reviews: plan
            .reviews
            .iter()
            .rev()
            .map(|r| ReviewView {
                when: long_date(r.reviewed_on),
                decision: r.decision.label(),
                what_changed: r.what_changed.clone(),
                sessions: r.sessions_counted,
                ratings: r
                    .ratings
                    .iter()
                    .map(|(goal, rating)| {
                        format!(
                            "{}: {} out of 10 ({})",
                            goal_number(*goal),
                            rating.score,
                            record.member_name(rating.rated_by)
                        )
                    })
                    .collect(),
                recorded_by: r.recorded_by.clone(),
            })
            .collect(),
        closure: plan.closure.as_ref().map(|c| {
            format!(
                "Ended {} by {}: {}",
                long_date(c.closed_on),
                c.closed_by,
                c.summary
            )
        }),
        after_mbu: plan.after_mbu,
    }
}

/// The family page's care section: every plan, and what is due next.
pub struct CareSection {
    pub next_due: String,
    pub next_due_warning: bool,
    pub plans: Vec<PlanView>,
}

pub fn care_section(record: &FamilyRecord, today: time::Date) -> CareSection {
    let next = NextDue::for_record(record, today);
    CareSection {
        next_due: next.label(),
        next_due_warning: next.is_warning(),
        plans: record
            .plans
            .iter()
            .rev()
            .map(|p| plan_view(p, record))
            .collect(),
    }
}

// ----- The plan's own page -----

#[derive(Template)]
#[template(path = "care_plan.html")]
pub struct CarePlanPage {
    pub chrome: Chrome,
    pub family_id: String,
    pub baby: String,
    pub plan: PlanView,
    pub chart_svg: String,
    pub table: crate::charts::RatingTable,
    pub has_ratings: bool,
    pub may_change: bool,
}

/// For a page about one plan: the record's core and care section (its read audited) and
/// the plan.
async fn plan_of<N: crate::auth::Need>(
    state: &WebState,
    staff: &Staff<N>,
    access: &FamilyAccess,
    plan: &str,
) -> Result<(Arc<FamilyRecord>, CarePlan), Failure> {
    let plan = parse_id(plan.parse::<Uuid>().ok())?;
    let family = record(state, &staff.actor, access, Sections::CARE).await?;
    let found = parse_id(family.plans.iter().find(|p| p.id == plan).cloned())?;
    Ok((family, found))
}

pub async fn plan_page(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ReadRecords>,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, plan) = plan_of(&state, &staff, &access, &plan).await?;
    let page = CarePlanPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        family_id: family.family.id.to_string(),
        baby: family.family.baby_label(),
        plan: plan_view(&plan, &family),
        chart_svg: crate::charts::goal_ratings_svg(&plan, &family),
        table: crate::charts::rating_table(&plan, &family),
        has_ratings: !plan.goals.is_empty(),
        may_change: staff
            .actor
            .may(cradle_domain::Permission::ChangeClinicalRecords),
    };
    Ok(render(StatusCode::OK, &page))
}

/// After a change to a plan: its page; if what was sent has problems, the form again (the
/// record read for it, and audited, only then: a change alone shows nothing).
async fn saved_or_plan_form<T>(
    state: &WebState,
    actor: &cradle_app::Actor,
    access: &FamilyAccess,
    plan: Uuid,
    result: Result<T, AppError>,
    form: impl FnOnce(&FamilyRecord, &CarePlan, Errors) -> Result<Response, Failure>,
) -> Result<Response, Failure> {
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/families/{}/plans/{plan}",
            access.family_id()
        ))),
        Err(AppError::Invalid(problems)) => {
            let family = record(state, actor, access, Sections::CARE).await?;
            let found = parse_id(family.plans.iter().find(|p| p.id == plan))?;
            form(&family, found, Errors::from_problems(&problems))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- Agreeing a plan -----

#[derive(Template)]
#[template(path = "plan_form.html")]
pub struct PlanFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub kind: RadioGroup,
    pub focus: RadioGroup,
    pub agreed: DateField,
    pub assessment: TextArea,
    pub planned_sessions: TextField,
    pub after_mbu: CheckboxGroup,
}

fn plan_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    input: &PlanInput,
    errors: Errors,
) -> Response {
    let page = PlanFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        kind: RadioGroup {
            id: "kind",
            legend: "What kind of plan is it?",
            options: Choice::list(PlanKind::ALL, PlanKind::code, PlanKind::label, &input.kind),
            inline: false,
        },
        focus: RadioGroup {
            id: "focus",
            legend: "Is the work antenatal or postnatal?",
            options: Choice::list(Focus::ALL, Focus::code, Focus::label, &input.focus),
            inline: true,
        },
        agreed: DateField::new(
            "agreed",
            "Date the plan was agreed at assessment",
            ["agreed_day", "agreed_month", "agreed_year"],
            [&input.agreed_day, &input.agreed_month, &input.agreed_year],
        ),
        assessment: TextArea::new("assessment", "Assessment", &input.assessment)
            .hint("Required for a nursery nursing plan: what the assessment found, in plain words"),
        planned_sessions: TextField::new(
            "planned_sessions",
            "Number of sessions planned (nursery nursing)",
            &input.planned_sessions,
        )
        .width("nhsuk-input--width-2")
        .hint("Reviewed after the team's number of attended sessions"),
        after_mbu: CheckboxGroup {
            id: "after_mbu",
            legend: "Focus (nursery nursing)",
            hint: "",
            options: vec![Choice {
                code: "yes".to_string(),
                label: "Support after a Mother and Baby Unit stay".to_string(),
                selected: input.after_mbu == "yes",
            }],
        },
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_plan_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
) -> Result<Response, Failure> {
    let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
    let (agreed_day, agreed_month, agreed_year) = super::today_boxes(&state);
    let input = PlanInput {
        focus: match family.family.stage {
            cradle_domain::PerinatalStage::Postnatal => "postnatal".to_string(),
            _ => "antenatal".to_string(),
        },
        agreed_day,
        agreed_month,
        agreed_year,
        ..PlanInput::default()
    };
    Ok(plan_form(
        &state,
        &staff,
        &family,
        &input,
        Errors::default(),
    ))
}

pub async fn create_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Form(input): Form<PlanInput>,
) -> Result<Response, Failure> {
    let id = access.family_id();
    match state.app.create_plan(&staff.actor, &access, &input).await {
        Ok(plan) => Ok(see_other(&format!("/families/{id}/plans/{}", plan.id))),
        Err(AppError::Invalid(problems)) => {
            let family = record(&state, &staff.actor, &access, Sections::CARE).await?;
            Ok(plan_form(
                &state,
                &staff,
                &family,
                &input,
                Errors::from_problems(&problems),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

// ----- Goals -----

#[derive(Template)]
#[template(path = "goal_form.html")]
pub struct GoalFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub plan_id: String,
    pub plan_title: String,
    pub who: CheckboxGroup,
    pub words: TextArea,
    pub area: RadioGroup,
    pub agreed_by: TextField,
    pub agreed: DateField,
    pub baseline: TextField,
    pub baseline_by: RadioGroup,
    /// A second person's starting rating, for a goal that is more than one person's.
    pub second_baseline: TextField,
    pub second_baseline_by: RadioGroup,
}

/// The family's members who may be part of a plan, ticked where typed.
fn member_boxes(family: &FamilyRecord, typed: &[String]) -> Vec<Choice> {
    super::member_choices(family, "", true)
        .into_iter()
        .map(|mut c| {
            c.selected = typed.contains(&c.code);
            c
        })
        .collect()
}

fn goal_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    plan: &CarePlan,
    input: &GoalInput,
    errors: Errors,
) -> Response {
    let mut who = vec![Choice {
        code: "family".to_string(),
        label: "The whole family".to_string(),
        selected: input.who.iter().any(|w| w == "family"),
    }];
    who.extend(member_boxes(family, &input.who));
    let page = GoalFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        plan_id: plan.id.to_string(),
        plan_title: plan_title(plan),
        who: CheckboxGroup {
            id: "who",
            legend: "Whose goal is it?",
            hint: "One person, a couple (tick both), or the whole family",
            options: who,
        },
        words: TextArea::new("words", "The goal, in the family's own words", &input.words).hint(
            "In the family's own words, for example “To feel confident bathing our baby on my own”",
        ),
        area: RadioGroup {
            id: "area",
            legend: "What is the goal about?",
            options: Choice::list(GoalArea::ALL, GoalArea::code, GoalArea::label, &input.area),
            inline: false,
        },
        agreed_by: TextField::new("agreed_by", "Who agreed the goal", &input.agreed_by)
            .hint("For example, “Amara and Tunde, with Priya Shah”"),
        agreed: DateField::new(
            "goal_agreed",
            "Date the goal was agreed",
            ["goal_agreed_day", "goal_agreed_month", "goal_agreed_year"],
            [&input.agreed_day, &input.agreed_month, &input.agreed_year],
        ),
        baseline: TextField::new(
            "baseline",
            "Where are they now, from 0 (not at all) to 10 (goal reached)?",
            &input.baseline,
        )
        .width("nhsuk-input--width-2")
        .kind("text"),
        baseline_by: RadioGroup {
            id: "baseline_by",
            legend: "Who gave this rating?",
            options: super::member_choices(family, &input.baseline_by, true),
            inline: false,
        },
        second_baseline: TextField::new(
            "second_baseline",
            "If the goal is more than one person's: a second person's starting rating, from 0 to 10 (optional)",
            &input.second_baseline,
        )
        .hint("Each partner may rate a couple's goal. Leave empty if only one rated it.")
        .width("nhsuk-input--width-2")
        .kind("text"),
        second_baseline_by: RadioGroup {
            id: "second_baseline_by",
            legend: "Who gave that rating?",
            options: super::member_choices(family, &input.second_baseline_by, true),
            inline: false,
        },
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_goal_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, plan) = plan_of(&state, &staff, &access, &plan).await?;
    // Goals set at the start are agreed with the plan; once sessions have begun, a new goal
    // is most likely agreed today.
    let (agreed_day, agreed_month, agreed_year) = if plan.sessions.is_empty() {
        cradle_domain::dates::date_boxes(Some(plan.agreed_on))
    } else {
        super::today_boxes(&state)
    };
    let input = GoalInput {
        agreed_day,
        agreed_month,
        agreed_year,
        ..GoalInput::default()
    };
    Ok(goal_form(
        &state,
        &staff,
        &family,
        &plan,
        &input,
        Errors::default(),
    ))
}

pub async fn add_goal(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Form(input): Form<GoalInput>,
) -> Result<Response, Failure> {
    let plan = parse_id(plan.parse::<Uuid>().ok())?;
    let result = state
        .app
        .add_goal(&staff.actor, &access, plan, &input)
        .await;
    saved_or_plan_form(
        &state,
        &staff.actor,
        &access,
        plan,
        result,
        |family, plan, errors| Ok(goal_form(&state, &staff, family, plan, &input, errors)),
    )
    .await
}

// ----- Sessions -----

#[derive(Template)]
#[template(path = "session_form.html")]
pub struct SessionFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub plan_id: String,
    pub plan_title: String,
    pub held: DateField,
    pub place: RadioGroup,
    pub attendance: RadioGroup,
    pub attendees: CheckboxGroup,
    pub seen: RadioGroup,
    pub goals: CheckboxGroup,
    pub interventions: CheckboxGroup,
    pub focus: RadioGroup,
    pub notes: TextArea,
    pub next: DateField,
    pub interpreter: crate::views::InterpreterFields,
}

fn session_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    plan: &CarePlan,
    input: &SessionInput,
    errors: Errors,
) -> Response {
    let page = SessionFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        plan_id: plan.id.to_string(),
        plan_title: plan_title(plan),
        held: DateField::new(
            "held",
            "Date of the session",
            ["held_day", "held_month", "held_year"],
            [&input.held_day, &input.held_month, &input.held_year],
        ),
        place: RadioGroup {
            id: "place",
            legend: "Where was it?",
            options: Choice::list(Place::ALL, Place::code, Place::label, &input.place),
            inline: false,
        },
        attendance: RadioGroup {
            id: "attendance",
            legend: "Did the session take place?",
            options: Choice::list(
                Attendance::ALL,
                Attendance::code,
                Attendance::label,
                &input.attendance,
            ),
            inline: false,
        },
        attendees: CheckboxGroup {
            id: "attendees",
            legend: "Who attended?",
            hint: "Anyone in the family. Leave empty if the session did not take place.",
            options: member_boxes(family, &input.attendees),
        },
        seen: RadioGroup {
            id: "seen",
            legend: "If more than one person attended, were they seen together or separately?",
            options: Choice::list(Seen::ALL, Seen::code, Seen::label, &input.seen),
            inline: true,
        },
        goals: CheckboxGroup {
            id: "goals",
            legend: "Which goals did it work on?",
            hint: "",
            options: plan
                .goals
                .iter()
                .enumerate()
                .map(|(n, g)| Choice {
                    code: g.id.to_string(),
                    label: format!(
                        "Goal {}: {} ({})",
                        n + 1,
                        g.words,
                        goal_owner(family, &g.who)
                    ),
                    selected: input.goals.iter().any(|t| *t == g.id.to_string()),
                })
                .collect(),
        },
        interventions: CheckboxGroup {
            id: "interventions",
            legend: "Which interventions did it work on?",
            hint: "",
            options: family
                .interventions
                .iter()
                .filter(|i| {
                    i.is_active() || input.interventions.iter().any(|t| *t == i.id.to_string())
                })
                .map(|i| Choice {
                    code: i.id.to_string(),
                    label: format!("{}: {}", family.member_name(i.member), i.name),
                    selected: input.interventions.iter().any(|t| *t == i.id.to_string()),
                })
                .collect(),
        },
        focus: RadioGroup {
            id: "focus",
            legend: "Was the work antenatal or postnatal?",
            options: Choice::list(Focus::ALL, Focus::code, Focus::label, &input.focus),
            inline: true,
        },
        notes: TextArea::new("notes", "Notes (optional)", &input.notes),
        next: DateField::new(
            "next",
            "Next planned contact (optional)",
            ["next_day", "next_month", "next_year"],
            [&input.next_day, &input.next_month, &input.next_year],
        ),
        interpreter: interpreter_fields(family, &input.interpreter),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_session_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, plan) = plan_of(&state, &staff, &access, &plan).await?;
    let (held_day, held_month, held_year) = super::today_boxes(&state);
    let input = SessionInput {
        held_day,
        held_month,
        held_year,
        focus: plan.focus.code().to_string(),
        ..SessionInput::default()
    };
    Ok(session_form(
        &state,
        &staff,
        &family,
        &plan,
        &input,
        Errors::default(),
    ))
}

pub async fn record_session(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Form(input): Form<SessionInput>,
) -> Result<Response, Failure> {
    let plan = parse_id(plan.parse::<Uuid>().ok())?;
    let result = state
        .app
        .record_session(&staff.actor, &access, plan, &input)
        .await;
    saved_or_plan_form(
        &state,
        &staff.actor,
        &access,
        plan,
        result,
        |family, plan, errors| Ok(session_form(&state, &staff, family, plan, &input, errors)),
    )
    .await
}

// ----- Reviews -----

pub struct GoalRatingField {
    pub goal_id: String,
    pub heading: String,
    pub earlier: String,
    /// One box for each person who may rate the goal: each partner rates a couple's goal.
    pub raters: Vec<RaterField>,
}

/// One person's rating box for one goal.
pub struct RaterField {
    /// `score-{goal}-{member}`: whose rating it is travels in the box's name.
    pub name: String,
    pub label: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "review_form.html")]
pub struct ReviewFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub plan_id: String,
    pub plan_title: String,
    pub review_line: String,
    pub reviewed: DateField,
    pub ratings: Vec<GoalRatingField>,
    pub what_changed: TextArea,
    pub decision: RadioGroup,
}

/// The rating typed for one person and goal, added to the list the first time it is named.
fn rating_mut<'a>(
    ratings: &'a mut Vec<RatingInput>,
    goal: &str,
    rated_by: &str,
) -> &'a mut RatingInput {
    let at = match ratings
        .iter()
        .position(|r| r.goal == goal && r.rated_by == rated_by)
    {
        Some(at) => at,
        None => {
            ratings.push(RatingInput {
                goal: goal.to_string(),
                rated_by: rated_by.to_string(),
                ..RatingInput::default()
            });
            ratings.len() - 1
        }
    };
    &mut ratings[at]
}

/// A review as its form sends it: each person's rating of each goal arrives as
/// `score-{goal}-{member}` (a goal id is a UUID, so the first five dash-separated parts are
/// the goal), empty for each person who did not rate it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    reviewed_day: String,
    reviewed_month: String,
    reviewed_year: String,
    what_changed: String,
    decision: String,
    #[serde(flatten)]
    scores: ByName,
}

impl From<ReviewForm> for ReviewInput {
    fn from(form: ReviewForm) -> Self {
        let mut input = ReviewInput {
            reviewed_day: form.reviewed_day,
            reviewed_month: form.reviewed_month,
            reviewed_year: form.reviewed_year,
            what_changed: form.what_changed,
            decision: form.decision,
            ratings: Vec::new(),
        };
        for (key, score) in form.scores {
            // A box left empty is someone who did not rate the goal at this review.
            let Some(rest) = key
                .strip_prefix("score-")
                .filter(|_| !score.trim().is_empty())
            else {
                continue;
            };
            if let Some(at) = rest.match_indices('-').nth(4).map(|(at, _)| at) {
                let (goal, member) = (&rest[..at], &rest[at + 1..]);
                rating_mut(&mut input.ratings, goal, member).score = score;
            }
        }
        input
    }
}

fn review_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    plan: &CarePlan,
    input: &ReviewInput,
    errors: Errors,
) -> Response {
    let view = plan_view(plan, family);
    let page = ReviewFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        plan_id: plan.id.to_string(),
        plan_title: plan_title(plan),
        review_line: view.review_line,
        reviewed: DateField::new(
            "reviewed",
            "Date of the review",
            ["reviewed_day", "reviewed_month", "reviewed_year"],
            [
                &input.reviewed_day,
                &input.reviewed_month,
                &input.reviewed_year,
            ],
        ),
        ratings: plan
            .active_goals()
            .enumerate()
            .map(|(n, g)| {
                let earlier = plan
                    .newest_review_ratings_of(g.id)
                    .unwrap_or_else(|| g.baselines().copied().collect())
                    .iter()
                    .map(|r| {
                        format!(
                            "{} out of 10, given by {} on {}",
                            r.score,
                            family.member_name(r.rated_by),
                            long_date(r.rated_on)
                        )
                    })
                    .collect::<Vec<_>>();
                let earlier = match earlier.as_slice() {
                    [] => String::new(),
                    said => format!("Last rating: {}", said.join("; ")),
                };
                let raters = g
                    .raters(family, state.app.today())
                    .into_iter()
                    .map(|member| RaterField {
                        name: format!("score-{}-{}", g.id, member.code()),
                        label: format!("{}'s rating now, from 0 to 10", family.member_name(member)),
                        score: input.score_by(g.id, member).to_string(),
                    })
                    .collect();
                GoalRatingField {
                    goal_id: g.id.to_string(),
                    heading: format!(
                        "Goal {}: {} ({})",
                        n + 1,
                        g.words,
                        goal_owner(family, &g.who)
                    ),
                    earlier,
                    raters,
                }
            })
            .collect(),
        what_changed: TextArea::new("what_changed", "What has changed?", &input.what_changed).hint(
            "In the family's words where you can: what is different for them and for the baby",
        ),
        decision: RadioGroup {
            id: "decision",
            legend: "What did the review decide?",
            options: Choice::list(
                ReviewDecision::ALL,
                ReviewDecision::code,
                ReviewDecision::label,
                &input.decision,
            ),
            inline: false,
        },
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn new_review_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, plan) = plan_of(&state, &staff, &access, &plan).await?;
    let (reviewed_day, reviewed_month, reviewed_year) = super::today_boxes(&state);
    let input = ReviewInput {
        reviewed_day,
        reviewed_month,
        reviewed_year,
        ..ReviewInput::default()
    };
    Ok(review_form(
        &state,
        &staff,
        &family,
        &plan,
        &input,
        Errors::default(),
    ))
}

pub async fn record_review(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, Failure> {
    let plan = parse_id(plan.parse::<Uuid>().ok())?;
    let input = ReviewInput::from(form);
    let result = state
        .app
        .record_review(&staff.actor, &access, plan, &input)
        .await;
    saved_or_plan_form(
        &state,
        &staff.actor,
        &access,
        plan,
        result,
        |family, plan, errors| Ok(review_form(&state, &staff, family, plan, &input, errors)),
    )
    .await
}

// ----- Ending a plan -----

#[derive(Template)]
#[template(path = "plan_close_form.html")]
pub struct PlanCloseFormPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub baby: String,
    pub family_id: String,
    pub plan_id: String,
    pub plan_title: String,
    pub closed: DateField,
    pub summary: TextArea,
}

fn close_form(
    state: &WebState,
    staff: &Staff<ChangeRecords>,
    family: &FamilyRecord,
    plan: &CarePlan,
    input: &CloseInput,
    errors: Errors,
) -> Response {
    let page = PlanCloseFormPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        baby: family.family.baby_label(),
        family_id: family.family.id.to_string(),
        plan_id: plan.id.to_string(),
        plan_title: plan_title(plan),
        closed: DateField::new(
            "closed",
            "Date the plan ended",
            ["closed_day", "closed_month", "closed_year"],
            [&input.closed_day, &input.closed_month, &input.closed_year],
        ),
        summary: TextArea::new("summary", "Closing summary", &input.summary)
            .hint("What was achieved, what the family is taking forward, and any onward support"),
        errors,
    };
    render(form_status(&page.errors), &page)
}

pub async fn end_plan_form(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let (family, plan) = plan_of(&state, &staff, &access, &plan).await?;
    let (closed_day, closed_month, closed_year) = super::today_boxes(&state);
    let input = CloseInput {
        closed_day,
        closed_month,
        closed_year,
        ..CloseInput::default()
    };
    Ok(close_form(
        &state,
        &staff,
        &family,
        &plan,
        &input,
        Errors::default(),
    ))
}

pub async fn end_plan(
    State(state): State<WebState>,
    FamilyScoped { staff, access }: FamilyScoped<ChangeRecords>,
    Path((_, plan)): Path<(String, String)>,
    Form(input): Form<CloseInput>,
) -> Result<Response, Failure> {
    let plan = parse_id(plan.parse::<Uuid>().ok())?;
    let result = state
        .app
        .close_plan(&staff.actor, &access, plan, &input)
        .await;
    saved_or_plan_form(
        &state,
        &staff.actor,
        &access,
        plan,
        result,
        |family, plan, errors| Ok(close_form(&state, &staff, family, plan, &input, errors)),
    )
    .await
}

// ----- The team's setting -----

#[derive(Template)]
#[template(path = "teams_index.html")]
pub struct TeamsIndexPage {
    pub chrome: Chrome,
    pub teams: Vec<(String, String)>,
}

/// The manager's teams, each with a link to its settings.
pub async fn teams_index(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
) -> Result<Response, Failure> {
    let teams = state
        .app
        .teams()
        .await?
        .into_iter()
        .filter(|t| staff.actor.teams.contains(&t.id))
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let page = TeamsIndexPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        teams,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "team_settings.html")]
pub struct TeamSettingsPage {
    pub chrome: Chrome,
    pub errors: Errors,
    pub team_id: String,
    pub team_name: String,
    pub sessions: TextField,
    pub saved: bool,
    pub catalogue: Vec<super::interventions::CatalogueLine>,
    pub pathway_roles: crate::views::CheckboxGroup,
    pub questionnaires: Vec<super::team_questionnaires::QuestionnaireLine>,
    /// Months recordings are kept for, one field for each purpose.
    pub retention: Vec<TextField>,
}

/// What was typed on the team's settings page, to show again with its problems.
#[derive(Default)]
pub struct SettingsTyped<'a> {
    pub sessions: Option<&'a str>,
    pub retention: Option<&'a RetentionForm>,
}

async fn team_settings_page(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
    team: TeamId,
    typed: SettingsTyped<'_>,
    errors: Errors,
    saved: bool,
) -> Result<Response, Failure> {
    let current = state.app.sessions_before_review(&staff.actor, team).await?;
    let retention = state.app.recording_retention(&staff.actor, team).await?;
    let name = state.app.team_name(team).await?;
    let roles = state.app.pathway_roles(&staff.actor, team).await?;
    let questionnaires = state.app.questionnaires_of_team(&staff.actor, team).await?;
    let value = typed
        .sessions
        .map(str::to_string)
        .unwrap_or(current.to_string());
    let page = TeamSettingsPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        team_id: team.to_string(),
        team_name: name,
        sessions: TextField::new(
            "sessions_before_review",
            "Attended sessions before a care plan review",
            &value,
        )
        .width("nhsuk-input--width-2")
        .hint("A review falls due once this many sessions have been attended since the last one (did-not-attend and cancelled sessions do not count). From 1 to 20."),
        saved,
        catalogue: super::interventions::catalogue_lines(
            &state.app.catalogue(&staff.actor, team).await?,
        ),
        pathway_roles: crate::views::CheckboxGroup {
            id: "pathway_roles",
            legend: "Who else is offered the partner pathway?",
            hint: "Partners, fathers and co-parents are always offered it. Select the other family members the team also offers an assessment of their own.",
            options: cradle_domain::network::RelationshipKind::ALL
                .iter()
                .filter(|kind| !cradle_domain::pathway::PARTNER_KINDS.contains(kind))
                .map(|kind| crate::views::Choice {
                    code: kind.code().to_string(),
                    label: kind.label().to_string(),
                    selected: roles.contains(kind),
                })
                .collect(),
        },
        questionnaires: super::team_questionnaires::lines(&questionnaires),
        retention: FilmingPurpose::ALL
            .iter()
            .map(|purpose| {
                let value = typed.retention.map_or_else(
                    || retention.months(*purpose).to_string(),
                    |form| form.typed(*purpose).to_string(),
                );
                TextField::new(retention_field(*purpose), purpose.label(), &value)
                    .width("nhsuk-input--width-3")
            })
            .collect(),
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

/// The months typed for each purpose's recordings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RetentionForm {
    retention_family_care: String,
    retention_supervision: String,
    retention_teaching: String,
    retention_research: String,
}

impl RetentionForm {
    fn typed(&self, purpose: FilmingPurpose) -> &str {
        match purpose {
            FilmingPurpose::FamilyCare => &self.retention_family_care,
            FilmingPurpose::Supervision => &self.retention_supervision,
            FilmingPurpose::Teaching => &self.retention_teaching,
            FilmingPurpose::Research => &self.retention_research,
        }
    }
}

/// Saves how long the team keeps recordings for each purpose.
pub async fn save_recording_retention(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(form): Form<RetentionForm>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let typed: Vec<(FilmingPurpose, &str)> = FilmingPurpose::ALL
        .iter()
        .map(|p| (*p, form.typed(*p)))
        .collect();
    let result = state
        .app
        .set_recording_retention(&staff.actor, team, &typed)
        .await;
    settings_saved(
        &state,
        &staff,
        team,
        result,
        SettingsTyped {
            retention: Some(&form),
            ..SettingsTyped::default()
        },
    )
    .await
}

/// `?saved=yes` after a change, which says so on the page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SettingsShown {
    saved: String,
}

pub async fn team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(shown): Form<SettingsShown>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let saved = shown.saved == "yes";
    team_settings_page(
        &state,
        &staff,
        team,
        SettingsTyped::default(),
        Errors::default(),
        saved,
    )
    .await
}

/// The family members beyond partners ticked on the team's settings page, as role codes.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PathwayRolesForm {
    pathway_roles: Vec<String>,
}

/// The number of sessions after which the team reviews a plan, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewCadenceForm {
    sessions_before_review: String,
}

/// Saves which family members beyond partners the team offers the partner pathway to.
pub async fn save_pathway_roles(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(form): Form<PathwayRolesForm>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let result = state
        .app
        .set_pathway_roles(&staff.actor, team, &form.pathway_roles)
        .await;
    settings_saved(&state, &staff, team, result, SettingsTyped::default()).await
}

/// The team's settings again after a change: saved, or with the problems and what was typed.
async fn settings_saved<T>(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
    team: TeamId,
    result: Result<T, AppError>,
    typed: SettingsTyped<'_>,
) -> Result<Response, Failure> {
    match result {
        // Shown again by its own address, so that reloading it sends nothing twice.
        Ok(_) => Ok(see_other(&format!("/teams/{team}/settings?saved=yes"))),
        Err(AppError::Invalid(problems)) => {
            team_settings_page(
                state,
                staff,
                team,
                typed,
                Errors::from_problems(&problems),
                false,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn save_team_settings(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
    Path(team): Path<String>,
    Form(form): Form<ReviewCadenceForm>,
) -> Result<Response, Failure> {
    let team = super::interventions::team_of(&team)?;
    let typed = form.sessions_before_review;
    let result = state
        .app
        .set_sessions_before_review(&staff.actor, team, &typed)
        .await;
    settings_saved(
        &state,
        &staff,
        team,
        result,
        SettingsTyped {
            sessions: Some(&typed),
            ..SettingsTyped::default()
        },
    )
    .await
}

/// The interpreter question for a contact with the family, naming those who need one.
pub(crate) fn interpreter_fields(
    family: &FamilyRecord,
    typed: &cradle_domain::interpreters::InterpreterInput,
) -> crate::views::InterpreterFields {
    let members: Vec<cradle_domain::entries::Member> =
        std::iter::once(cradle_domain::entries::Member::Mother)
            .chain(
                family
                    .people
                    .iter()
                    .map(|p| cradle_domain::entries::Member::Person(p.id)),
            )
            .collect();
    interpreter_fields_among(family, &members, typed)
}

/// The interpreter questions for a contact with `members` only (one person's assessment or
/// questionnaire): who among them needs one, and their language to start with.
pub(crate) fn interpreter_fields_among(
    family: &FamilyRecord,
    members: &[cradle_domain::entries::Member],
    typed: &cradle_domain::interpreters::InterpreterInput,
) -> crate::views::InterpreterFields {
    let needed = cradle_domain::interpreters::needed_by(family, members);
    let mother = &family.family.mother_language;
    let mothers = (members.contains(&cradle_domain::entries::Member::Mother)
        && mother.interpreter_needed)
        .then(|| mother.language.clone())
        .flatten();
    let language = mothers
        .or_else(|| {
            family
                .people
                .iter()
                .filter(|p| members.contains(&cradle_domain::entries::Member::Person(p.id)))
                .find(|p| p.interpreter_needed)
                .and_then(|p| p.preferred_language.clone())
        })
        .unwrap_or_default();
    crate::views::InterpreterFields::new(typed, &needed, &language)
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/families/{id}/plans/new", get(new_plan_form))
        .route("/families/{id}/plans", post(create_plan))
        .route("/families/{id}/plans/{plan}", get(plan_page))
        .route("/families/{id}/plans/{plan}/goals/new", get(new_goal_form))
        .route("/families/{id}/plans/{plan}/goals", post(add_goal))
        .route(
            "/families/{id}/plans/{plan}/sessions/new",
            get(new_session_form),
        )
        .route("/families/{id}/plans/{plan}/sessions", post(record_session))
        .route(
            "/families/{id}/plans/{plan}/reviews/new",
            get(new_review_form),
        )
        .route("/families/{id}/plans/{plan}/reviews", post(record_review))
        .route(
            "/families/{id}/plans/{plan}/end",
            get(end_plan_form).post(end_plan),
        )
        .route("/teams", get(teams_index))
        .route(
            "/teams/{team}/settings",
            get(team_settings).post(save_team_settings),
        )
        .route("/teams/{team}/settings/pathway", post(save_pathway_roles))
        .route(
            "/teams/{team}/settings/recordings",
            post(save_recording_retention),
        )
}
