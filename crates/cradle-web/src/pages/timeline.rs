//! The family timeline: entries, relationship conversations, observations, positive moments,
//! needs and strengths, and coping concerns in one list, newest first, filterable by person
//! and by type. What someone shared in confidence is marked as such (staff see it; no other
//! family member's printout or export holds it), and so is what is staff-only (no family
//! member's printout or export ever holds it).

use crate::views::Choice;
use cradle_domain::dates::{long_date, long_date_time};
use cradle_domain::entries::Member;
use cradle_domain::network::FamilyRecord;
use cradle_domain::text::sentence;
use serde::Deserialize;

/// The kinds of timeline item, as the filter names them.
pub const KINDS: [(&str, &str); 17] = [
    ("entry", "Notes"),
    ("birth", "Births"),
    ("conversation", "Relationship conversations"),
    ("observation", "Interaction observations"),
    ("moment", "Positive moments"),
    ("note", "Needs, strengths and confidence"),
    ("concern", "Coping concerns"),
    ("session", "Care plan sessions"),
    ("review", "Care plan reviews"),
    ("group", "Group sessions"),
    ("questionnaire", "Questionnaires and safety alerts"),
    ("pathway", "Partner pathway"),
    ("assessment", "Partner assessments"),
    ("intervention", "Interventions"),
    ("restriction", "Do not contact and do not involve"),
    ("disclosure", "Steps after a disclosure"),
    ("filming", "Consent to film and recordings"),
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TimelineFilter {
    /// "mother" or a person's id; empty for everyone.
    pub person: String,
    /// One of [`KINDS`]; empty for every kind.
    #[serde(rename = "type")]
    pub kind: String,
}

pub struct TimelineItem {
    /// When it happened: its day, then the moment it was recorded (so items of one day keep
    /// a stable order, and an item with only a date sorts by that date).
    pub sort_key: (time::Date, i64),
    pub when: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub who: String,
    pub about: String,
    pub confidence: Option<String>,
    /// Staff-only (an abuse enquiry, safeguarding, a coping concern): never printed or given
    /// to the family, and marked so on staff pages.
    pub staff_only: bool,
    pub text: String,
    members: Vec<Member>,
}

fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(code, _)| *code == kind)
        .map(|(_, label)| *label)
        .unwrap_or("")
}

/// Every item, newest first, kept when it matches the filter.
pub fn items(record: &FamilyRecord, filter: &TimelineFilter) -> Vec<TimelineItem> {
    let day = |date: Option<time::Date>, millis: i64| {
        (
            date.unwrap_or_else(|| cradle_domain::dates::uk_date(millis)),
            millis,
        )
    };
    let at = |millis: i64| day(None, millis);
    let mut items: Vec<TimelineItem> = Vec::new();
    for e in &record.entries {
        let members: Vec<Member> = e.about.into_iter().collect();
        items.push(TimelineItem {
            sort_key: at(e.written_at_millis),
            when: long_date_time(e.written_at_millis),
            kind: "entry",
            kind_label: match e.kind {
                cradle_domain::entries::EntryKind::Note => kind_label("entry"),
                other => other.label(),
            },
            who: e.written_by.clone(),
            about: record.members_named(&members),
            confidence: e.confided_by.map(|m| record.member_name(m)),
            staff_only: e.kind.is_staff_only(),
            text: e.text.clone(),
            members,
        });
    }
    for c in &record.conversations {
        let mut text: Vec<String> = c.answers.iter().map(|(_, t)| sentence(t)).collect();
        if let Some(f) = &c.formulation {
            text.push(sentence(&format!("Formulation: {f}")));
        }
        if let Some(interpreter) = &c.interpreter {
            text.push(format!("{}.", interpreter.summary()));
        }
        items.push(TimelineItem {
            sort_key: day(c.held_on, c.saved_at_millis),
            when: c.held_on.map(long_date).unwrap_or_default(),
            kind: "conversation",
            kind_label: kind_label("conversation"),
            who: c.recorded_by.clone(),
            about: record.members_named(&c.participants),
            confidence: None,
            staff_only: false,
            // "Seen together" or "separately" says something only of several people.
            text: if c.participants.len() > 1 {
                format!(
                    "{} ({}). {}",
                    c.status.label(),
                    c.seen.label().to_lowercase(),
                    text.join(" ")
                )
            } else {
                format!("{}. {}", c.status.label(), text.join(" "))
            },
            members: c.participants.clone(),
        });
    }
    for o in &record.observations {
        items.push(TimelineItem {
            sort_key: day(o.observed_on, o.recorded_at_millis),
            when: o.observed_on.map(long_date).unwrap_or_default(),
            kind: "observation",
            kind_label: kind_label("observation"),
            who: o.recorded_by.clone(),
            about: record.member_name(o.caregiver),
            confidence: None,
            staff_only: false,
            text: {
                let mut text = format!(
                    "{}. {}",
                    o.setting.label(),
                    o.descriptors
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                if let Some(used) = &o.interpreter {
                    text.push_str(&format!(" {}.", used.summary()));
                }
                text
            },
            members: vec![o.caregiver],
        });
    }
    for m in &record.moments {
        items.push(TimelineItem {
            sort_key: day(m.noticed_on, m.recorded_at_millis),
            when: m.noticed_on.map(long_date).unwrap_or_default(),
            kind: "moment",
            kind_label: kind_label("moment"),
            who: m.recorded_by.clone(),
            about: record.member_name(m.caregiver),
            confidence: None,
            staff_only: false,
            text: format!("{} Fed back: {}", m.what_happened, m.fed_back),
            members: vec![m.caregiver],
        });
    }
    for n in &record.notes {
        let members: Vec<Member> = match n.subject {
            cradle_domain::needs::NoteSubject::Caregiver(m) => vec![m],
            cradle_domain::needs::NoteSubject::Family => Vec::new(),
        };
        items.push(TimelineItem {
            sort_key: day(n.noted_on, n.recorded_at_millis),
            when: n.noted_on.map(long_date).unwrap_or_default(),
            kind: "note",
            kind_label: kind_label("note"),
            who: n.recorded_by.clone(),
            about: if members.is_empty() {
                "the whole family".to_string()
            } else {
                record.members_named(&members)
            },
            confidence: None,
            staff_only: false,
            text: format!("{}: {}", n.kind.label(), n.text),
            members,
        });
    }
    for c in &record.concerns {
        items.push(TimelineItem {
            sort_key: at(c.raised_at_millis),
            when: long_date_time(c.raised_at_millis),
            kind: "concern",
            kind_label: kind_label("concern"),
            who: c.raised_by.clone(),
            about: record.member_name(c.about),
            confidence: None,
            staff_only: true,
            text: format!(
                "{}{}",
                c.description,
                if c.is_open() { " (open)" } else { " (closed)" }
            ),
            members: vec![c.about],
        });
    }
    for plan in &record.plans {
        for s in &plan.sessions {
            let mut text = match s.place {
                Some(place) => format!(
                    "{}, {}.",
                    s.attendance.label(),
                    place.label().to_lowercase()
                ),
                None => format!("{}.", s.attendance.label()),
            };
            if let Some(interpreter) = &s.interpreter {
                text.push(' ');
                text.push_str(&interpreter.summary());
                text.push('.');
            }
            if !s.notes.is_empty() {
                text.push(' ');
                text.push_str(&s.notes);
            }
            items.push(TimelineItem {
                sort_key: day(Some(s.held_on), s.recorded_at_millis),
                when: long_date(s.held_on),
                kind: "session",
                kind_label: kind_label("session"),
                who: s.recorded_by.clone(),
                about: record.members_named(&s.attendees),
                confidence: None,
                staff_only: false,
                text: format!(
                    "{} session: {text}",
                    plan.kind.label().trim_end_matches(" plan")
                ),
                members: s.attendees.clone(),
            });
        }
        for r in &plan.reviews {
            let mut members: Vec<Member> = r
                .ratings
                .iter()
                .map(|(_, rating)| rating.rated_by)
                .collect();
            members.dedup();
            items.push(TimelineItem {
                sort_key: day(Some(r.reviewed_on), r.recorded_at_millis),
                when: long_date(r.reviewed_on),
                kind: "review",
                kind_label: kind_label("review"),
                who: r.recorded_by.clone(),
                about: record.members_named(&members),
                confidence: None,
                staff_only: false,
                text: format!("{}. {}", r.decision.label(), r.what_changed),
                members,
            });
        }
    }
    for membership in &record.groups {
        for (session, presence) in membership.attendance() {
            let mark = membership.marks.iter().find(|m| m.session == session.id);
            items.push(TimelineItem {
                sort_key: day(Some(session.on), 0),
                when: long_date(session.on),
                kind: "group",
                kind_label: kind_label("group"),
                who: mark.map(|m| m.recorded_by.clone()).unwrap_or_default(),
                about: record.member_name(membership.enrolment.member),
                confidence: None,
                staff_only: false,
                text: format!(
                    "{}{}: {}.",
                    membership.group.name,
                    if session.topic.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", session.topic)
                    },
                    presence.label()
                ),
                members: vec![membership.enrolment.member],
            });
        }
    }
    extend_with_the_rest(record, &mut items);
    let person = Member::parse(&filter.person);
    items.retain(|item| {
        (filter.kind.is_empty() || item.kind == filter.kind)
            && person.is_none_or(|p| item.members.contains(&p))
    });
    items.sort_by_key(|item| std::cmp::Reverse(item.sort_key));
    items
}

/// An item made from its parts, with nothing shared in confidence.
#[allow(clippy::too_many_arguments)]
fn item(
    sort_key: (time::Date, i64),
    when: String,
    kind: &'static str,
    who: String,
    about: String,
    staff_only: bool,
    text: String,
    members: Vec<Member>,
) -> TimelineItem {
    TimelineItem {
        sort_key,
        when,
        kind,
        kind_label: kind_label(kind),
        who,
        about,
        confidence: None,
        staff_only,
        text,
        members,
    }
}

/// Births, questionnaires and their alerts, pathway steps, assessments, interventions, safety
/// decisions and the steps after a disclosure.
fn extend_with_the_rest(record: &FamilyRecord, items: &mut Vec<TimelineItem>) {
    let at = |millis: i64| (cradle_domain::dates::uk_date(millis), millis);
    for baby in &record.family.babies {
        if let Some(born) = baby.date_of_birth {
            let gestation = baby
                .gestation_at_birth
                .map(|g| format!(" at {g} weeks"))
                .unwrap_or_default();
            items.push(item(
                (born, 0),
                long_date(born),
                "birth",
                String::new(),
                baby.label(&record.family.mother_name),
                false,
                format!(
                    "{} was born{gestation}.",
                    baby.label(&record.family.mother_name)
                ),
                Vec::new(),
            ));
        }
    }
    for r in &record.responses {
        let member = Member::Person(r.person_id);
        let scores: Vec<String> = r
            .scored
            .scores
            .iter()
            .map(|s| match s.value.number() {
                Some(n) => format!("{} {n}", s.label),
                None => format!("{}: not scored (too few answers)", s.label),
            })
            .collect();
        let alerts: Vec<&str> = r.scored.alerts.iter().map(|a| a.message.as_str()).collect();
        let mut text = format!("{} completed. {}.", r.instrument_name, scores.join("; "));
        if let Some(interpreter) = &r.interpreter {
            text.push_str(&format!(" {}.", interpreter.summary()));
        }
        if !alerts.is_empty() {
            text.push_str(&format!(" Safety alert: {}", alerts.join(" ")));
        }
        items.push(item(
            (r.completed_on, r.recorded_at_millis),
            long_date(r.completed_on),
            "questionnaire",
            r.recorded_by_name.clone(),
            record.member_name(member),
            false,
            text,
            vec![member],
        ));
        if let Some(action) = &r.alert_action {
            items.push(item(
                at(action.at_millis),
                long_date_time(action.at_millis),
                "questionnaire",
                action.by_name.clone(),
                record.member_name(member),
                false,
                format!(
                    "Acted on the {} safety alert: {}",
                    r.instrument_name, action.action
                ),
                vec![member],
            ));
        }
    }
    for pathway in &record.pathways {
        let member = Member::Person(pathway.person_id);
        for step in &pathway.pathway.steps {
            let given = step.given.summary();
            items.push(item(
                (step.step.on(), step.recorded_at_millis),
                long_date(step.step.on()),
                "pathway",
                step.recorded_by_name.clone(),
                record.member_name(member),
                false,
                {
                    let mut text = format!("Partner pathway: {}.", step.step.label());
                    if !given.is_empty() {
                        text.push_str(&format!(" Given: {given}."));
                    }
                    if let Some(used) = &step.interpreter {
                        text.push_str(&format!(" {}.", used.summary()));
                    }
                    text
                },
                vec![member],
            ));
        }
    }
    for a in &record.partner_assessments {
        let member = Member::Person(a.person_id);
        items.push(item(
            (a.assessed_on, a.recorded_at_millis),
            long_date(a.assessed_on),
            "assessment",
            a.recorded_by_name.clone(),
            record.member_name(member),
            false,
            match &a.interpreter {
                Some(interpreter) => format!(
                    "Partner assessment. {}. {}. {}.",
                    a.risk.label(),
                    a.outcome.label(),
                    interpreter.summary()
                ),
                None => format!(
                    "Partner assessment. {}. {}.",
                    a.risk.label(),
                    a.outcome.label()
                ),
            },
            vec![member],
        ));
    }
    for i in &record.interventions {
        for step in &i.steps {
            items.push(item(
                (step.on, step.recorded_at_millis),
                long_date(step.on),
                "intervention",
                step.recorded_by.clone(),
                record.member_name(i.member),
                false,
                match &step.reason {
                    Some(reason) => format!("{}: {}. {reason}", i.name, step.step.label()),
                    None => format!("{}: {}.", i.name, step.step.label()),
                },
                vec![i.member],
            ));
        }
        for session in &i.series {
            items.push(item(
                (session.on, 0),
                long_date(session.on),
                "intervention",
                session.recorded_by.clone(),
                record.member_name(i.member),
                false,
                format!("{} session {}: {}.", i.name, session.number, session.theme),
                vec![i.member],
            ));
        }
    }
    for r in &record.restrictions {
        let member = Member::Person(r.person_id);
        items.push(item(
            at(r.recorded_at_millis),
            long_date_time(r.recorded_at_millis),
            "restriction",
            r.decided_by.clone(),
            record.member_name(member),
            true,
            format!("{} decided: {}", r.kind.label(), r.reason),
            vec![member],
        ));
        if let Some(ended) = r.lifted_at_millis {
            items.push(item(
                at(ended),
                long_date_time(ended),
                "restriction",
                r.lifted_by.clone().unwrap_or_default(),
                record.member_name(member),
                true,
                match (&r.renewed_as, &r.lifted_reason) {
                    (Some(_), _) => format!("{} reviewed and renewed.", r.kind.label()),
                    (None, Some(why)) => format!("{} lifted: {why}", r.kind.label()),
                    (None, None) => format!("{} lifted.", r.kind.label()),
                },
                vec![member],
            ));
        }
    }
    for c in &record.filming_consents {
        let mut members = c.on_film.clone();
        members.extend(c.for_baby.iter().filter(|m| !c.on_film.contains(m)));
        let on_film: Vec<String> = c.on_film.iter().map(|m| record.member_name(*m)).collect();
        let for_baby: Vec<String> = c.for_baby.iter().map(|m| record.member_name(*m)).collect();
        let purposes: Vec<String> = c
            .purposes
            .iter()
            .map(|p| cradle_domain::text::lower_first(p.label()))
            .collect();
        let on_film = cradle_domain::text::and_list(&on_film);
        items.push(item(
            (c.given_on, c.recorded_at_millis),
            long_date(c.given_on),
            "filming",
            c.recorded_by.clone(),
            on_film.clone(),
            false,
            format!(
                "Consent to film {on_film} with {}, given by {} for {}, until {}. For {}.",
                record.family.baby_label(),
                cradle_domain::text::and_list(&for_baby),
                if record.family.babies.len() > 1 {
                    "the babies"
                } else {
                    "the baby"
                },
                long_date(c.expires_on),
                cradle_domain::text::and_list(&purposes),
            ),
            members.clone(),
        ));
        if let Some(w) = &c.withdrawn {
            items.push(item(
                (w.on, w.recorded_at_millis),
                long_date(w.on),
                "filming",
                w.recorded_by.clone(),
                on_film.clone(),
                false,
                format!(
                    "Consent to film {on_film} withdrawn: {}",
                    sentence(&w.reason)
                ),
                members,
            ));
        }
    }
    for r in &record.recordings {
        let on_film: Vec<String> = r.on_film.iter().map(|m| record.member_name(*m)).collect();
        let on_film = cradle_domain::text::and_list(&on_film);
        let consent = record
            .filming_consents
            .iter()
            .find(|c| c.id == r.consent_id)
            .map(|c| format!(" under the consent given on {}", long_date(c.given_on)))
            .unwrap_or_default();
        // Once uploaded and checked; an upload refused or abandoned shows only as deleted.
        if let Some(uploaded) = r.uploaded_at_millis {
            items.push(item(
                (r.filmed_on, uploaded),
                long_date(r.filmed_on),
                "filming",
                r.started_by.clone(),
                on_film.clone(),
                false,
                format!(
                    "Recording “{}” of {on_film} with {}, filmed{consent}, for {}{}.",
                    r.description,
                    record.family.baby_label(),
                    cradle_domain::text::lower_first(r.purpose.label()),
                    r.media
                        .as_ref()
                        .map(|m| format!(" ({} long)", m.running_time()))
                        .unwrap_or_default(),
                ),
                r.on_film.clone(),
            ));
        }
        if let Some(d) = &r.deletion {
            items.push(item(
                at(d.at_millis),
                long_date_time(d.at_millis),
                "filming",
                d.by.clone(),
                on_film.clone(),
                false,
                match d.reason {
                    cradle_domain::recordings::DeletionReason::Refused => format!(
                        "Upload of “{}” not taken: {} Nothing of it was kept.",
                        r.description,
                        sentence(&d.detail)
                    ),
                    cradle_domain::recordings::DeletionReason::ByStaff => format!(
                        "Recording “{}” deleted by {}: {}",
                        r.description,
                        d.by,
                        sentence(&d.detail)
                    ),
                    reason => format!(
                        "Recording “{}” deleted. {}: {}",
                        r.description,
                        reason.label(),
                        sentence(&cradle_domain::text::lower_first(&d.detail))
                    ),
                },
                r.on_film.clone(),
            ));
        }
    }
    for a in &record.disclosure_actions {
        if let Some(settled) = &a.settled {
            items.push(item(
                at(settled.settled_at_millis),
                long_date_time(settled.settled_at_millis),
                "disclosure",
                settled.settled_by.clone(),
                record.member_name(a.discloser),
                true,
                format!(
                    "After a disclosure, {}: {}{}",
                    a.step.label().to_lowercase(),
                    match settled.outcome {
                        cradle_domain::disclosures::Outcome::Done => "done. ",
                        cradle_domain::disclosures::Outcome::NotNeeded => "not needed. ",
                    },
                    settled.text
                ),
                vec![a.discloser],
            ));
        }
    }
}

/// The filter's choices: everyone, the mother and each person; every kind and each kind.
pub fn filter_choices(
    record: &FamilyRecord,
    filter: &TimelineFilter,
) -> (Vec<Choice>, Vec<Choice>) {
    let mut people = vec![
        Choice {
            code: String::new(),
            label: "Everyone".to_string(),
            selected: filter.person.is_empty(),
        },
        Choice {
            code: "mother".to_string(),
            label: record.family.mother_name.clone(),
            selected: filter.person == "mother",
        },
    ];
    people.extend(record.people.iter().map(|p| Choice {
        code: p.id.to_string(),
        label: p.name.clone(),
        selected: filter.person == p.id.to_string(),
    }));
    let mut kinds = vec![Choice {
        code: String::new(),
        label: "Everything".to_string(),
        selected: filter.kind.is_empty(),
    }];
    kinds.extend(KINDS.iter().map(|(code, label)| Choice {
        code: code.to_string(),
        label: label.to_string(),
        selected: filter.kind == *code,
    }));
    (people, kinds)
}
