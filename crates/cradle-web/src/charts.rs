//! Charts drawn by Cradle as SVG, each with the same figures as a table for anyone who cannot
//! see the picture: Goal-Based Outcomes ratings over time (one line per goal, each with its own
//! marker and dash so colour is never the only difference), and a person's questionnaire
//! scores over time over their population's bands and cut-off. Each chart is worked out here
//! as shapes placed; the picture is written by `templates/chart.svg`, which escapes every
//! text.

use crate::ecomap::short;
use cradle_domain::care_plans::CarePlan;
use cradle_domain::dates::long_date;
use cradle_domain::network::FamilyRecord;
use time::Date;

/// Colours from the NHS palette, each with enough contrast against white.
const COLOURS: [&str; 5] = ["#005eb8", "#007f3b", "#330072", "#ae2573", "#425563"];
/// Dash patterns, so lines differ in shape as well as colour.
const DASHES: [&str; 5] = ["", "8 4", "2 4", "12 4 2 4", "4 4"];

/// When ratings were given: (day, 0 for a goal's start or 1 for a review, review number).
/// A start and a review on the same day are separate occasions, the start first.
type Occasion = (Date, u8, usize);

/// The plan's reviews in the order they happened.
fn reviews_in_order(plan: &CarePlan) -> Vec<&cradle_domain::care_plans::Review> {
    let mut reviews: Vec<_> = plan.reviews.iter().collect();
    reviews.sort_by_key(|r| (r.reviewed_on, r.recorded_at_millis));
    reviews
}

fn occasions(plan: &CarePlan) -> Vec<Occasion> {
    let mut all: Vec<Occasion> = plan
        .goals
        .iter()
        .map(|g| (g.baseline.rated_on, 0, 0))
        .chain(
            reviews_in_order(plan)
                .iter()
                .enumerate()
                .map(|(n, r)| (r.reviewed_on, 1, n + 1)),
        )
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The heading of an occasion's column: "Start" or "Review 2", and the date.
fn occasion_label(occasion: Occasion) -> String {
    match occasion {
        (day, 0, _) => format!("Start ({})", long_date(day)),
        (day, _, n) => format!("Review {n} ({})", long_date(day)),
    }
}

/// One goal's ratings as (occasion index, score, who gave it), in the order given.
fn points(plan: &CarePlan, record: &FamilyRecord, goal: uuid::Uuid) -> Vec<(usize, u8, String)> {
    let days = occasions(plan);
    let Some(found) = plan.goal(goal) else {
        return Vec::new();
    };
    let mut marks: Vec<(Occasion, cradle_domain::care_plans::Rating)> = found
        .baselines()
        .map(|rating| ((found.baseline.rated_on, 0, 0), *rating))
        .collect();
    for (n, review) in reviews_in_order(plan).iter().enumerate() {
        for (_, rating) in review.ratings.iter().filter(|(g, _)| *g == goal) {
            marks.push(((review.reviewed_on, 1, n + 1), *rating));
        }
    }
    marks
        .into_iter()
        .filter_map(|(occasion, r)| {
            days.iter()
                .position(|d| *d == occasion)
                .map(|i| (i, r.score, record.member_name(r.rated_by)))
        })
        .collect()
}

/// One line on the chart: one person's ratings of one goal (each partner's ratings of a
/// couple's goal are a line of their own; ratings by different people are never joined).
struct Series {
    /// "Goal 1", or "Goal 1, Tunde Okafor" when more than one person rated the goal.
    name: String,
    words: String,
    /// (occasion index, score).
    marks: Vec<(usize, u8)>,
}

fn series(plan: &CarePlan, record: &FamilyRecord) -> Vec<Series> {
    let mut all = Vec::new();
    for (n, goal) in plan.goals.iter().enumerate() {
        let marks = points(plan, record, goal.id);
        let mut raters: Vec<&str> = Vec::new();
        for (_, _, who) in &marks {
            if !raters.contains(&who.as_str()) {
                raters.push(who);
            }
        }
        if raters.is_empty() {
            raters.push("");
        }
        for rater in &raters {
            all.push(Series {
                name: if raters.len() > 1 {
                    format!("Goal {}, {rater}", n + 1)
                } else {
                    format!("Goal {}", n + 1)
                },
                words: goal.words.clone(),
                marks: marks
                    .iter()
                    .filter(|(_, _, who)| who == rater)
                    .map(|(i, score, _)| (*i, *score))
                    .collect(),
            });
        }
    }
    all
}

/// The table alternative: a row per goal, a column per occasion.
pub struct RatingTable {
    pub columns: Vec<String>,
    /// (goal number and words, one cell per column: "6 (Amara Okafor)" or empty).
    pub rows: Vec<(String, Vec<String>)>,
}

pub fn rating_table(plan: &CarePlan, record: &FamilyRecord) -> RatingTable {
    let days = occasions(plan);
    RatingTable {
        columns: days.iter().map(|d| occasion_label(*d)).collect(),
        rows: plan
            .goals
            .iter()
            .enumerate()
            .map(|(n, goal)| {
                let mut cells = vec![String::new(); days.len()];
                for (i, score, who) in points(plan, record, goal.id) {
                    if !cells[i].is_empty() {
                        cells[i].push_str("; ");
                    }
                    cells[i].push_str(&format!("{score} ({who})"));
                }
                (format!("Goal {}: {}", n + 1, goal.words), cells)
            })
            .collect(),
    }
}

/// The chart, ready to place in a page.
pub fn goal_ratings_svg(plan: &CarePlan, record: &FamilyRecord) -> String {
    let days = occasions(plan);
    let columns = days.len().max(1);
    let (left, top, plot_height) = (56.0_f64, 24.0_f64, 220.0_f64);
    // At least 130 points between occasions, and room for the legend's words.
    let gaps = (columns.saturating_sub(1) as f64).max(1.0);
    let plot_width = (130.0 * gaps).max(420.0);
    let step = plot_width / gaps;
    let lines = series(plan, record);
    let legend_top = top + plot_height + 64.0;
    let legend_rows = lines.len().max(1) as f64;
    let width = (left + plot_width + 72.0).max(620.0);
    let height = legend_top + 24.0 * legend_rows + 8.0;
    let x = |i: usize| {
        if columns == 1 {
            left + plot_width / 2.0
        } else {
            left + step * i as f64
        }
    };
    let y = |score: u8| top + plot_height - plot_height * f64::from(score) / 10.0;
    let mut description = Vec::new();
    for line in &lines {
        let scores: Vec<String> = line
            .marks
            .iter()
            .map(|(i, score)| format!("{score} at {}", occasion_label(days[*i])))
            .collect();
        description.push(format!(
            "{}, {}: {}.",
            line.name,
            line.words,
            scores.join(", ")
        ));
    }
    let mut shapes = Vec::new();
    // The scale: a line every 2 points, labelled.
    for score in (0..=10).step_by(2) {
        shapes.push(Shape::line(
            left,
            y(score),
            left + plot_width,
            y(score),
            "#d8dde0",
            "1",
        ));
        shapes.push(
            Shape::text(
                left - 8.0,
                y(score) + 4.0,
                "13",
                "#212b32",
                score.to_string(),
            )
            .anchored("end"),
        );
    }
    let mut rating = Shape::text(
        14.0,
        top + plot_height / 2.0,
        "13",
        "#212b32",
        "Rating".to_string(),
    )
    .anchored("middle");
    if let Shape::Text { transform, .. } = &mut rating {
        *transform = format!("rotate(-90 14 {:.1})", top + plot_height / 2.0);
    }
    shapes.push(rating);
    for (i, day) in days.iter().enumerate() {
        let label = occasion_label(*day);
        let (first, second) = label.split_once(" (").unwrap_or((label.as_str(), ""));
        shapes.push(
            Shape::text(
                x(i),
                top + plot_height + 22.0,
                "13",
                "#212b32",
                first.to_string(),
            )
            .anchored("middle"),
        );
        shapes.push(
            Shape::text(
                x(i),
                top + plot_height + 40.0,
                "12",
                "#4c6272",
                second.trim_end_matches(')').to_string(),
            )
            .anchored("middle"),
        );
    }
    for (n, line) in lines.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let dash = DASHES[n % DASHES.len()];
        let marks = &line.marks;
        let path: Vec<String> = marks
            .iter()
            .map(|(i, score)| format!("{:.1},{:.1}", x(*i), y(*score)))
            .collect();
        if path.len() > 1 {
            shapes.push(Shape::Polyline {
                points: path.join(" "),
                stroke: colour,
                dash,
            });
        }
        for (i, score) in marks {
            shapes.push(marker(n, x(*i), y(*score), colour));
            shapes.push(Shape::text(
                x(*i) + 9.0,
                y(*score) - 8.0,
                "12",
                colour,
                score.to_string(),
            ));
        }
        let row = legend_top + 24.0 * n as f64;
        shapes.push(marker(n, left + 6.0, row - 4.0, colour));
        shapes.push(Shape::text(
            left + 18.0,
            row,
            "13",
            "#212b32",
            format!("{}: {}", line.name, short(&line.words, 70)),
        ));
    }
    Chart {
        width: format!("{width:.0}"),
        height: format!("{height:.0}"),
        title_id: format!("chart-title-{}", plan.id),
        desc_id: format!("chart-desc-{}", plan.id),
        title: "Goal ratings over time, 0 to 10".to_string(),
        description: description.join(" "),
        shapes,
    }
    .drawn()
}

/// A chart as drawn: its size, title and description, and each shape placed. The template
/// (`templates/chart.svg`) escapes every text, so a goal's words can never break the picture.
#[derive(askama::Template)]
#[template(path = "chart.svg", escape = "html")]
struct Chart {
    width: String,
    height: String,
    title_id: String,
    desc_id: String,
    title: String,
    description: String,
    shapes: Vec<Shape>,
}

impl Chart {
    fn drawn(&self) -> String {
        askama::Template::render(self).unwrap_or_else(|error| {
            tracing::error!(%error, "a chart could not be drawn");
            String::new()
        })
    }
}

/// One shape of a chart, its numbers already placed (to one decimal place).
enum Shape {
    Line {
        x1: String,
        y1: String,
        x2: String,
        y2: String,
        stroke: &'static str,
        width: &'static str,
        dash: &'static str,
        class: &'static str,
    },
    Text {
        x: String,
        y: String,
        size: &'static str,
        anchor: &'static str,
        fill: &'static str,
        transform: String,
        words: String,
    },
    Rect {
        x: String,
        y: String,
        width: String,
        height: String,
        fill: &'static str,
        stroke: &'static str,
    },
    Polyline {
        points: String,
        stroke: &'static str,
        dash: &'static str,
    },
    Circle {
        x: String,
        y: String,
        fill: &'static str,
    },
    Polygon {
        points: String,
        fill: &'static str,
    },
    Cross {
        path: String,
        stroke: &'static str,
    },
}

impl Shape {
    fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &'static str, width: &'static str) -> Self {
        Shape::Line {
            x1: format!("{x1:.1}"),
            y1: format!("{y1:.1}"),
            x2: format!("{x2:.1}"),
            y2: format!("{y2:.1}"),
            stroke,
            width,
            dash: "",
            class: "",
        }
    }

    fn dashed(mut self, pattern: &'static str) -> Self {
        if let Shape::Line { dash, .. } = &mut self {
            *dash = pattern;
        }
        self
    }

    fn text(x: f64, y: f64, size: &'static str, fill: &'static str, words: String) -> Self {
        Shape::Text {
            x: format!("{x:.1}"),
            y: format!("{y:.1}"),
            size,
            anchor: "",
            fill,
            transform: String::new(),
            words,
        }
    }

    fn anchored(mut self, to: &'static str) -> Self {
        if let Shape::Text { anchor, .. } = &mut self {
            *anchor = to;
        }
        self
    }
}

/// A different shape for each goal: circle, square, triangle, diamond, cross.
fn marker(n: usize, x: f64, y: f64, colour: &'static str) -> Shape {
    match n % 5 {
        0 => Shape::Circle {
            x: format!("{x:.1}"),
            y: format!("{y:.1}"),
            fill: colour,
        },
        1 => Shape::Rect {
            x: format!("{:.1}", x - 5.0),
            y: format!("{:.1}", y - 5.0),
            width: "10".to_string(),
            height: "10".to_string(),
            fill: colour,
            stroke: "",
        },
        2 => Shape::Polygon {
            points: format!(
                "{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                y - 6.0,
                x + 6.0,
                y + 5.0,
                x - 6.0,
                y + 5.0
            ),
            fill: colour,
        },
        3 => Shape::Polygon {
            points: format!(
                "{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}",
                y - 6.0,
                x + 6.0,
                y + 6.0,
                x - 6.0
            ),
            fill: colour,
        },
        _ => Shape::Cross {
            path: format!(
                "M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}",
                x - 5.0,
                y - 5.0,
                x + 5.0,
                y + 5.0,
                x + 5.0,
                y - 5.0,
                x - 5.0,
                y + 5.0
            ),
            stroke: colour,
        },
    }
}

/// One person's scores on one instrument over time, for the family page.
pub struct ScoreHistory {
    pub heading: String,
    pub svg: String,
    pub rows: Vec<ScoreRow>,
    /// Said under the chart when the bands and cut-off drawn are one population's.
    pub read_as: String,
}

pub struct ScoreRow {
    pub completed_on: String,
    /// The population the response was read against, or that it was read against none.
    pub read_against: String,
    pub score: String,
    pub reading: String,
}

/// Each person's questionnaires, one history per person and instrument, oldest first.
pub fn score_histories(
    record: &FamilyRecord,
    instruments: &cradle_app::questionnaires::TeamInstruments,
) -> Vec<ScoreHistory> {
    use cradle_domain::questionnaires::{QuestionnaireResponse, ScoreReading, ScoreValue};
    let mut groups: Vec<(cradle_domain::PersonId, String, Vec<&QuestionnaireResponse>)> =
        Vec::new();
    for response in &record.responses {
        match groups
            .iter_mut()
            .find(|(p, i, _)| *p == response.person_id && *i == response.instrument_name)
        {
            Some((_, _, list)) => list.push(response),
            None => groups.push((
                response.person_id,
                response.instrument_name.clone(),
                vec![response],
            )),
        }
    }
    groups
        .into_iter()
        .map(|(person, instrument_name, mut responses)| {
            responses.sort_by_key(|r| (r.completed_on, r.recorded_at_millis));
            let who = record
                .people
                .iter()
                .find(|p| p.id == person)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            // Each response is read against its own definition and its own population: a
            // point is never drawn against a cut-off it was not read against.
            let read: Vec<Option<&cradle_domain::questionnaires::Population>> = responses
                .iter()
                .map(|r| {
                    let definition = instruments
                        .definition_of(&r.questionnaire, &r.questionnaire_version)?;
                    definition.population_for_code(r.population.as_deref()?)
                })
                .collect();
            // The chart and table show each response's first score (the instrument's main
            // one), so its bands, cut-off and range are that score's.
            let definition = responses.last().and_then(|newest| {
                instruments.definition_of(&newest.questionnaire, &newest.questionnaire_version)
            });
            let main = definition.and_then(|d| d.scores.first().map(|rule| (d, rule)));
            let main_id = main.map(|(_, rule)| rule.id.as_str());
            let reading_of = |population| reading_of(population, main_id);
            let max = main
                .map(|(d, rule)| d.score_range(rule).1)
                .unwrap_or(30)
                .max(1);
            let totals: Vec<Point> = responses
                .iter()
                .zip(&read)
                .map(|(r, population)| Point {
                    day: long_date(r.completed_on),
                    score: r.scored.scores.first().and_then(|s| s.value.number()),
                    cut_off: reading_of(*population).and_then(|reading| reading.cut_off),
                })
                .collect();
            // The bands are shaded behind the whole chart only when every scored point was
            // read against the same population.
            let scored_populations: Vec<Option<&str>> = totals
                .iter()
                .zip(&read)
                .filter(|(point, _)| point.score.is_some())
                .map(|(_, p)| p.map(|p| p.code.as_str()))
                .collect();
            let shared = match scored_populations.first() {
                Some(Some(first)) if scored_populations.iter().all(|p| *p == Some(*first)) => read
                    .iter()
                    .flatten()
                    .find(|p| p.code == *first)
                    .copied(),
                _ => None,
            };
            let read_as = match shared {
                Some(p) => format!("Bands and cut-off drawn for: {}.", p.label),
                None if read.iter().any(Option::is_some) => "The responses were read against different groups, or some against none: each point's own cut-off, if it has one, is marked beside it, and no bands are drawn.".to_string(),
                None => "No bands or cut-off are drawn: no score was read against a population the questionnaire is validated for.".to_string(),
            };
            let rows = responses
                .iter()
                .zip(&read)
                .map(|(r, population)| {
                    let first = r.scored.scores.first();
                    ScoreRow {
                        completed_on: long_date(r.completed_on),
                        read_against: population
                            .map(|p| p.label.clone())
                            .unwrap_or_else(|| "No group: no cut-off".to_string()),
                        score: match first.map(|s| s.value) {
                            Some(ScoreValue::Complete { value }) => value.to_string(),
                            Some(ScoreValue::Prorated { value, answered }) => {
                                format!("{value} (pro-rated from {answered} answers)")
                            }
                            Some(ScoreValue::Incomplete { answered, needed }) => format!(
                                "No score: {answered} answered, {needed} needed"
                            ),
                            None => "No score".to_string(),
                        },
                        reading: match first.map(|s| &s.reading) {
                            Some(ScoreReading::Validated {
                                band,
                                at_or_above_cut_off,
                                ..
                            }) => match at_or_above_cut_off {
                                Some(true) => format!("{band}; at or above the cut-off"),
                                _ => band.clone(),
                            },
                            Some(ScoreReading::NotValidated { warning }) => warning.clone(),
                            _ => String::new(),
                        } + if r.scored.alerts.is_empty() {
                            ""
                        } else if r.alert_needs_action() {
                            ". Safety alert: no action recorded yet"
                        } else {
                            ". Safety alert: acted on"
                        },
                    }
                })
                .collect();
            let heading = format!("{who}: {instrument_name}");
            ScoreHistory {
                svg: score_svg(&heading, &totals, max, reading_of(shared), shared.is_none()),
                read_as,
                heading,
                rows,
            }
        })
        .collect()
}

/// How `population` reads the score `score_id`, when it reads it.
fn reading_of<'a>(
    population: Option<&'a cradle_domain::questionnaires::Population>,
    score_id: Option<&str>,
) -> Option<&'a cradle_domain::questionnaires::Reading> {
    population?.readings.get(score_id?)
}

/// One response on the chart: its date, its main score (none when it could not be scored)
/// and the cut-off of the population it was read against (none when it was read against none).
struct Point {
    day: String,
    score: Option<i64>,
    cut_off: Option<i64>,
}

/// Total scores by date. With `shared`, every scored point was read against that one
/// population, whose bands are shaded and cut-off dashed across the chart; with `each_own`,
/// each point's own cut-off is marked beside it instead. The line is broken where a response
/// has no score, so it never joins across one.
fn score_svg(
    heading: &str,
    totals: &[Point],
    max: i64,
    shared: Option<&cradle_domain::questionnaires::Reading>,
    each_own: bool,
) -> String {
    let (left, top, plot_height) = (56.0_f64, 24.0_f64, 200.0_f64);
    let gaps = (totals.len().saturating_sub(1) as f64).max(1.0);
    let plot_width = (120.0 * gaps).max(420.0);
    let width = (left + plot_width + 160.0).max(620.0);
    let height = top + plot_height + 56.0;
    let x = |i: usize| match totals.len() {
        1 => left + plot_width / 2.0,
        _ => left + plot_width / gaps * i as f64,
    };
    let y = |score: i64| top + plot_height - plot_height * score as f64 / max as f64;
    let said: Vec<String> = totals
        .iter()
        .map(|point| match (point.score, point.cut_off, each_own) {
            (Some(score), Some(cut_off), true) => {
                format!("{score} on {} (cut-off {cut_off})", point.day)
            }
            (Some(score), None, true) => format!("{score} on {} (no cut-off)", point.day),
            (Some(score), _, false) => format!("{score} on {}", point.day),
            (None, _, _) => format!("no score on {}", point.day),
        })
        .collect();
    let id = heading
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>();
    let mut shapes = Vec::new();
    if let Some(reading) = shared {
        let shades = ["#f0f4f5", "#ffffff"];
        for (n, band) in reading.bands.iter().enumerate() {
            let (high, low) = (y(band.to.min(max)), y(band.from.max(0)));
            shapes.push(Shape::Rect {
                x: format!("{left}"),
                y: format!("{high:.1}"),
                width: format!("{plot_width:.1}"),
                height: format!("{:.1}", (low - high).max(1.0)),
                fill: shades[n % 2],
                stroke: "#d8dde0",
            });
            shapes.push(Shape::text(
                left + plot_width + 8.0,
                (high + low) / 2.0 + 4.0,
                "12",
                "#4c6272",
                band.label.clone(),
            ));
        }
        if let Some(cut_off) = reading.cut_off {
            shapes.push(
                Shape::line(
                    left,
                    y(cut_off),
                    left + plot_width,
                    y(cut_off),
                    "#d5281b",
                    "2",
                )
                .dashed("6 4"),
            );
            shapes.push(Shape::text(
                left,
                y(cut_off) - 6.0,
                "12",
                "#d5281b",
                format!("Cut-off {cut_off}"),
            ));
        }
    }
    if each_own {
        for (i, point) in totals.iter().enumerate() {
            if let (Some(_), Some(cut_off)) = (point.score, point.cut_off) {
                let mut own = Shape::line(
                    x(i) - 22.0,
                    y(cut_off),
                    x(i) + 22.0,
                    y(cut_off),
                    "#d5281b",
                    "2",
                )
                .dashed("4 3");
                if let Shape::Line { class, .. } = &mut own {
                    *class = "cradle-own-cut-off";
                }
                shapes.push(own);
                shapes.push(Shape::text(
                    x(i) - 22.0,
                    y(cut_off) + 14.0,
                    "11",
                    "#d5281b",
                    format!("cut-off {cut_off}"),
                ));
            }
        }
    }
    for score in [0, max] {
        shapes.push(
            Shape::text(
                left - 8.0,
                y(score) + 4.0,
                "13",
                "#212b32",
                score.to_string(),
            )
            .anchored("end"),
        );
    }
    // One line for each run of scored responses: an unscored one breaks the line.
    for run in totals
        .iter()
        .enumerate()
        .collect::<Vec<_>>()
        .split(|(_, point)| point.score.is_none())
    {
        let points: Vec<String> = run
            .iter()
            .filter_map(|(i, point)| point.score.map(|s| format!("{:.1},{:.1}", x(*i), y(s))))
            .collect();
        if points.len() > 1 {
            shapes.push(Shape::Polyline {
                points: points.join(" "),
                stroke: "#005eb8",
                dash: "",
            });
        }
    }
    for (i, point) in totals.iter().enumerate() {
        if let Some(score) = point.score {
            shapes.push(marker(0, x(i), y(score), "#005eb8"));
            shapes.push(Shape::text(
                x(i) + 9.0,
                y(score) - 8.0,
                "12",
                "#005eb8",
                score.to_string(),
            ));
        }
        shapes.push(
            Shape::text(
                x(i),
                top + plot_height + 22.0,
                "12",
                "#4c6272",
                point.day.clone(),
            )
            .anchored("middle"),
        );
    }
    Chart {
        width: format!("{width:.0}"),
        height: format!("{height:.0}"),
        title_id: format!("score-title-{id}"),
        desc_id: format!("score-desc-{id}"),
        title: format!("{heading}, total score over time (0 to {max})"),
        description: format!("{}.", said.join(", ")),
        shapes,
    }
    .drawn()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cradle_domain::care_plans::*;
    use cradle_domain::entries::Member;
    use time::macros::date;
    use uuid::Uuid;

    #[test]
    fn each_score_is_drawn_against_its_own_population_and_the_line_breaks_at_an_unscored_one() {
        use cradle_domain::questionnaires::{Instrument, QuestionnaireResponse};
        let example = std::sync::Arc::new(
            Instrument::load(include_str!(
                "../../../docs/instruments/example-confidence-scale.json"
            ))
            .unwrap(),
        );
        let instruments = cradle_app::questionnaires::TeamInstruments {
            entries: vec![cradle_app::questionnaires::TeamInstrument {
                instrument: std::sync::Arc::clone(&example),
                imported: None,
            }],
        };
        let (_, mut record) = plan_with_review();
        let person = cradle_domain::PersonId::new();
        let respond = |day: time::Date, code: &str, answered: usize, population: Option<&str>| {
            let answers: Vec<(String, String)> = example
                .questions
                .iter()
                .take(answered)
                .map(|q| (q.link_id.clone(), code.to_string()))
                .collect();
            QuestionnaireResponse {
                id: Uuid::now_v7(),
                person_id: person,
                questionnaire: example.url.clone(),
                questionnaire_version: example.version.clone(),
                instrument_name: example.name.clone(),
                completed_on: day,
                population: population.map(str::to_string),
                answers: vec![],
                scored: example.score(&answers, population).unwrap(),
                interpreter: None,
                recorded_by_name: "Priya Shah".into(),
                recorded_at_millis: 0,
                alert_action: None,
            }
        };
        let five = example.questions.len();
        // Read as a father, then unscored, then twice against no group.
        record.responses = vec![
            respond(date!(2026 - 09 - 01), "often", five, Some("fathers")),
            respond(date!(2026 - 09 - 15), "often", 1, Some("fathers")),
            respond(date!(2026 - 10 - 01), "never", five, None),
            respond(date!(2026 - 10 - 15), "never", five, None),
        ];
        let history = &score_histories(&record, &instruments)[0];
        assert!(
            !history.svg.contains("<rect"),
            "no bands shared by every point"
        );
        assert_eq!(history.svg.matches("cradle-own-cut-off").count(), 1);
        assert!(history.svg.contains("(cut-off 11)"), "{}", history.svg);
        assert!(history.svg.contains("(no cut-off)"), "{}", history.svg);
        // The first point stands alone (the next is unscored); the last two are joined.
        assert_eq!(history.svg.matches("<polyline").count(), 1);
        assert!(history.read_as.contains("each point's own cut-off"));
        let read: Vec<&str> = history
            .rows
            .iter()
            .map(|r| r.read_against.as_str())
            .collect();
        assert_eq!(
            read,
            [
                "Fathers and partners (invented)",
                "Fathers and partners (invented)",
                "No group: no cut-off",
                "No group: no cut-off"
            ]
        );
        // Every scored point against the same group: its bands and cut-off behind them all.
        record.responses.truncate(1);
        record.responses.push(respond(
            date!(2026 - 10 - 01),
            "never",
            five,
            Some("fathers"),
        ));
        let history = &score_histories(&record, &instruments)[0];
        assert!(history.svg.contains("<rect"));
        assert!(history.svg.contains("Cut-off 11"));
        assert_eq!(history.svg.matches("cradle-own-cut-off").count(), 0);
        assert_eq!(history.svg.matches("<polyline").count(), 1);
    }

    fn plan_with_review() -> (CarePlan, FamilyRecord) {
        let record = FamilyRecord::new(cradle_domain::Family {
            id: cradle_domain::FamilyId::new(),
            team_id: cradle_domain::TeamId::new(),
            mother_name: "Amara <Okafor>".into(),
            mother_nhs_number: None,
            mother_date_of_birth: None,
            mother_postcode: None,
            mother_language: Default::default(),
            stage: cradle_domain::PerinatalStage::Postnatal,
            referral_date: None,
            child_protection: cradle_domain::network::ChildProtectionStatus::None,
            babies: vec![],
            created_at_millis: 0,
            version: 1,
        });
        let goal = |words: &str, score| Goal {
            id: Uuid::now_v7(),
            who: vec![Member::Mother],
            words: words.into(),
            area: GoalArea::Confidence,
            agreed_by: "Amara".into(),
            agreed_on: date!(2026 - 09 - 01),
            baseline: Rating {
                score,
                rated_by: Member::Mother,
                rated_on: date!(2026 - 09 - 01),
            },
            more_baselines: vec![],
            recorded_by: "Nurse".into(),
            recorded_at_millis: 0,
        };
        let bath = goal("Calm bath times & <songs>", 2);
        let nights = goal("Share the nights", 4);
        let plan = CarePlan {
            id: Uuid::now_v7(),
            kind: PlanKind::NurseryNursing,
            focus: Focus::Postnatal,
            agreed_on: date!(2026 - 09 - 01),
            assessment: None,
            planned_sessions: None,
            after_mbu: false,
            reviews: vec![Review {
                id: Uuid::now_v7(),
                reviewed_on: date!(2026 - 10 - 20),
                ratings: vec![
                    (
                        bath.id,
                        Rating {
                            score: 7,
                            rated_by: Member::Mother,
                            rated_on: date!(2026 - 10 - 20),
                        },
                    ),
                    (
                        nights.id,
                        Rating {
                            score: 5,
                            rated_by: Member::Mother,
                            rated_on: date!(2026 - 10 - 20),
                        },
                    ),
                ],
                what_changed: "Calmer".into(),
                decision: ReviewDecision::Continue,
                sessions_counted: 6,
                recorded_by: "Nurse".into(),
                recorded_at_millis: 1,
            }],
            goals: vec![bath, nights],
            sessions: vec![],
            closure: None,
            created_by: "Nurse".into(),
            created_at_millis: 0,
        };
        (plan, record)
    }

    #[test]
    fn a_review_on_the_day_the_goals_were_agreed_is_its_own_occasion() {
        let (mut plan, record) = plan_with_review();
        plan.reviews[0].reviewed_on = date!(2026 - 09 - 01);
        for (_, rating) in plan.reviews[0].ratings.iter_mut() {
            rating.rated_on = date!(2026 - 09 - 01);
        }
        let table = rating_table(&plan, &record);
        assert_eq!(
            table.columns,
            vec!["Start (1 September 2026)", "Review 1 (1 September 2026)"]
        );
        assert_eq!(
            table.rows[0].1,
            vec!["2 (Amara <Okafor>)", "7 (Amara <Okafor>)"]
        );
    }

    #[test]
    fn the_chart_draws_each_goal_from_its_start_to_each_review_with_words_for_screen_readers() {
        let (plan, record) = plan_with_review();
        let svg = goal_ratings_svg(&plan, &record);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2, "a line per goal");
        assert!(svg.contains("stroke-dasharray"), "lines differ in shape");
        assert!(
            svg.contains("Calm bath times &#38; &#60;songs&#62;"),
            "escaped"
        );
        assert!(svg.contains(
            "Goal 1, Calm bath times &#38; &#60;songs&#62;: 2 at Start (1 September 2026), 7 at Review 1 (20 October 2026)."
        ));
        let table = rating_table(&plan, &record);
        assert_eq!(
            table.columns,
            vec!["Start (1 September 2026)", "Review 1 (20 October 2026)"]
        );
        assert_eq!(
            table.rows[1].1,
            vec!["4 (Amara <Okafor>)", "5 (Amara <Okafor>)"]
        );
    }
}
