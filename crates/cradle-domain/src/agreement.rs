//! How far two coders of the same recording agree: for each code and overall, Cohen's kappa
//! and the percentage of time units on which they agree, and the percentage of event onsets
//! that match within a tolerance. Every figure comes with the method that produced it, in
//! words, so a supervisor or researcher reading it knows what was compared.
//!
//! Time units: the film is cut into units of a stated length from its start. A state codes a
//! unit when it covers the unit's midpoint; a moment codes the unit it falls in. For one code,
//! each unit is coded or not by each coder (a two-by-two table); overall, each unit's category
//! is the set of codes it carries ("nothing coded" being one category), as BORIS compares
//! time slices.
//!
//! Onsets: each coder's events of a code are taken in time order, and each of the first
//! coder's onsets is paired with the earliest unpaired onset of the same code by the second
//! coder that lies within the tolerance; taking them in order pairs as many as can be paired.
//! Agreement is the pairs over the pairs and the events left unpaired on either side.

use serde::Serialize;

/// One coded event as agreement compares it: its code (with its subject, where the caller
/// tells subjects apart) and its times in milliseconds from the film's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coded {
    pub code: String,
    pub start_millis: u64,
    /// None for a moment.
    pub end_millis: Option<u64>,
}

impl Coded {
    pub fn moment(code: &str, at_millis: u64) -> Self {
        Self {
            code: code.to_string(),
            start_millis: at_millis,
            end_millis: None,
        }
    }
    pub fn state(code: &str, start_millis: u64, end_millis: u64) -> Self {
        Self {
            code: code.to_string(),
            start_millis,
            end_millis: Some(end_millis),
        }
    }
}

/// How agreement is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Method {
    /// The length of a time unit, in milliseconds.
    pub unit_millis: u64,
    /// How far apart two onsets may be and still match, in milliseconds.
    pub tolerance_millis: u64,
    /// The film's length, which sets how many units there are.
    pub duration_millis: u64,
}

/// Cohen's kappa over time units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Kappa {
    /// None where it is not defined: both coders put every unit in the same one category,
    /// so chance alone would agree fully.
    pub kappa: Option<f64>,
    /// The proportion of units on which the coders agree (0 to 1).
    pub observed: f64,
    /// The proportion they would agree on by chance, from how often each used each category.
    pub by_chance: f64,
    pub units: u64,
}

impl Kappa {
    /// The percentage of units on which the coders agree.
    pub fn percent(&self) -> f64 {
        self.observed * 100.0
    }
}

/// Onsets matched within the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Onsets {
    pub matched: u64,
    /// Events of the first coder with no match in the second's.
    pub first_only: u64,
    /// Events of the second coder with no match in the first's.
    pub second_only: u64,
}

impl Onsets {
    /// Matched over matched and unmatched, as a percentage; None where neither coded any.
    pub fn percent(&self) -> Option<f64> {
        let all = self.matched + self.first_only + self.second_only;
        (all > 0).then(|| self.matched as f64 * 100.0 / all as f64)
    }
}

/// Agreement on one code.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CodeAgreement {
    pub code: String,
    pub units: Kappa,
    pub onsets: Onsets,
}

/// Agreement between two coders.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub method: Method,
    /// Each code either coder used, in the order first met.
    pub codes: Vec<CodeAgreement>,
    pub overall_units: Kappa,
    pub overall_onsets: Onsets,
}

impl Method {
    fn units(&self) -> u64 {
        self.duration_millis.div_ceil(self.unit_millis.max(1))
    }

    /// The units an event codes.
    fn units_of(&self, event: &Coded) -> std::ops::Range<u64> {
        let unit = self.unit_millis.max(1);
        let last = self.units();
        match event.end_millis {
            None => {
                let at = (event.start_millis / unit).min(last.saturating_sub(1));
                at..(at + 1).min(last)
            }
            // The units whose midpoint lies within the state.
            Some(end) => {
                let first = first_unit_from(event.start_millis, unit);
                first.min(last)..first_unit_from(end, unit).min(last)
            }
        }
    }

    /// The method in words, to print beside the figures.
    pub fn in_words(&self) -> String {
        format!(
            "Cohen's kappa and percentage agreement over {} time units of {} from the film's start; \
             a state codes a unit when it covers the unit's midpoint, a moment the unit it falls in; \
             overall, each unit's category is the set of codes it carries. \
             Onsets match when the same code starts within {} on both sides, each paired once, \
             in time order; agreement is matched onsets over matched and unmatched.",
            self.units(),
            duration_words(self.unit_millis),
            duration_words(self.tolerance_millis),
        )
    }
}

/// The first unit whose midpoint is at or after `millis`.
fn first_unit_from(millis: u64, unit: u64) -> u64 {
    // Midpoint of unit k: k * unit + unit / 2 >= millis.
    millis.saturating_sub(unit / 2).div_ceil(unit)
}

/// "1 second", "500 milliseconds", "2.5 seconds".
fn duration_words(millis: u64) -> String {
    match millis {
        1000 => "1 second".to_string(),
        m if m % 1000 == 0 => format!("{} seconds", m / 1000),
        m if m < 1000 => format!("{m} milliseconds"),
        m => format!("{} seconds", m as f64 / 1000.0),
    }
}

fn kappa(pairs: &[(String, String)]) -> Kappa {
    let units = pairs.len() as u64;
    if units == 0 {
        return Kappa {
            kappa: None,
            observed: 0.0,
            by_chance: 0.0,
            units,
        };
    }
    let n = units as f64;
    let observed = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let mut categories: Vec<&String> = pairs.iter().flat_map(|(a, b)| [a, b]).collect();
    categories.sort();
    categories.dedup();
    let by_chance: f64 = categories
        .iter()
        .map(|c| {
            let first = pairs.iter().filter(|(a, _)| a == *c).count() as f64 / n;
            let second = pairs.iter().filter(|(_, b)| b == *c).count() as f64 / n;
            first * second
        })
        .sum();
    // Equal to 1 only when both coders used the one same category for every unit.
    let defined = (1.0 - by_chance).abs() > 1e-12;
    Kappa {
        kappa: defined.then(|| (observed - by_chance) / (1.0 - by_chance)),
        observed,
        by_chance,
        units,
    }
}

/// For each unit, the codes an event list puts in it.
fn coded_units(method: &Method, events: &[Coded]) -> Vec<Vec<String>> {
    let mut units: Vec<Vec<String>> = vec![Vec::new(); method.units() as usize];
    for event in events {
        for unit in method.units_of(event) {
            if let Some(codes) = units.get_mut(unit as usize) {
                if !codes.contains(&event.code) {
                    codes.push(event.code.clone());
                }
            }
        }
    }
    for codes in &mut units {
        codes.sort();
    }
    units
}

fn onsets(method: &Method, first: &[&Coded], second: &[&Coded]) -> Onsets {
    let mut first: Vec<u64> = first.iter().map(|e| e.start_millis).collect();
    let mut second: Vec<u64> = second.iter().map(|e| e.start_millis).collect();
    first.sort_unstable();
    second.sort_unstable();
    let mut paired = vec![false; second.len()];
    let mut matched = 0;
    for onset in &first {
        let partner = second
            .iter()
            .enumerate()
            .position(|(i, other)| !paired[i] && onset.abs_diff(*other) <= method.tolerance_millis);
        if let Some(i) = partner {
            paired[i] = true;
            matched += 1;
        }
    }
    Onsets {
        matched,
        first_only: first.len() as u64 - matched,
        second_only: second.len() as u64 - matched,
    }
}

/// How far two coders' events agree, measured by `method`.
pub fn agreement(method: Method, first: &[Coded], second: &[Coded]) -> Agreement {
    let mut codes: Vec<String> = Vec::new();
    for event in first.iter().chain(second) {
        if !codes.contains(&event.code) {
            codes.push(event.code.clone());
        }
    }
    let first_units = coded_units(&method, first);
    let second_units = coded_units(&method, second);
    let mut all_onsets = Onsets {
        matched: 0,
        first_only: 0,
        second_only: 0,
    };
    let per_code = codes
        .into_iter()
        .map(|code| {
            let pairs: Vec<(String, String)> = first_units
                .iter()
                .zip(&second_units)
                .map(|(a, b)| (a.contains(&code).to_string(), b.contains(&code).to_string()))
                .collect();
            let first_of: Vec<&Coded> = first.iter().filter(|e| e.code == code).collect();
            let second_of: Vec<&Coded> = second.iter().filter(|e| e.code == code).collect();
            let matched = onsets(&method, &first_of, &second_of);
            all_onsets.matched += matched.matched;
            all_onsets.first_only += matched.first_only;
            all_onsets.second_only += matched.second_only;
            CodeAgreement {
                units: kappa(&pairs),
                onsets: matched,
                code,
            }
        })
        .collect();
    let overall: Vec<(String, String)> = first_units
        .iter()
        .zip(&second_units)
        .map(|(a, b)| (a.join("+"), b.join("+")))
        .collect();
    Agreement {
        method,
        codes: per_code,
        overall_units: kappa(&overall),
        overall_onsets: all_onsets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECONDS: Method = Method {
        unit_millis: 1000,
        tolerance_millis: 1000,
        duration_millis: 10_000,
    };

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    /// The worked example of Cohen's kappa in the textbooks (and on Wikipedia's page): 50
    /// items, both say yes to 20, the first alone to 5, the second alone to 10, both say no to
    /// 15; observed 0.7, by chance 0.5, kappa 0.4. Here the items are 50 one-second units.
    #[test]
    fn the_textbook_two_by_two_example_gives_kappa_0_4() {
        let method = Method {
            duration_millis: 50_000,
            ..SECONDS
        };
        let first = [Coded::state("smile", 0, 25_000)];
        let second = [
            Coded::state("smile", 0, 20_000),
            Coded::state("smile", 25_000, 35_000),
        ];
        let found = agreement(method, &first, &second);
        let smile = &found.codes[0];
        assert_eq!(smile.units.units, 50);
        assert!((smile.units.observed - 0.7).abs() < 1e-9);
        assert!((smile.units.by_chance - 0.5).abs() < 1e-9);
        assert!(close(smile.units.kappa, 0.4), "{:?}", smile.units);
    }

    /// Worked by hand: ten one-second units, mutual gaze and smiles.
    ///
    /// First coder: gaze from 0 to 6 s, smiles at 2.5 s and 8.2 s. Second: gaze from 1 s to
    /// 6 s, smiles at 2.9 s and 5.1 s. Units, first: G G G+S G G G - - S -; second:
    /// - G G+S G G G+S - - - -.
    ///
    /// Gaze: 9 of 10 units agree; 0.6 and 0.5 coded, by chance 0.3 + 0.2 = 0.5; kappa 0.8.
    /// Smiles: 8 of 10 agree; 0.2 and 0.2 coded, by chance 0.04 + 0.64 = 0.68; kappa
    /// 0.12 / 0.32 = 0.375. Overall: 7 of 10 units carry the same set; by chance
    /// (5×3 + 1×2 + 3×5 + 1×0) / 100 = 0.32; kappa 0.38 / 0.68 = 0.5588…
    /// Onsets within 1 s: gaze 0 s and 1 s match; smiles 2.5 s and 2.9 s match, 8.2 s and
    /// 5.1 s do not: gaze 100%, smiles 1 of 3, overall 2 of 4 = 50%.
    #[test]
    fn a_worked_example_with_two_codes_agrees_with_the_hand_count() {
        let first = [
            Coded::state("gaze", 0, 6000),
            Coded::moment("smile", 2500),
            Coded::moment("smile", 8200),
        ];
        let second = [
            Coded::state("gaze", 1000, 6000),
            Coded::moment("smile", 2900),
            Coded::moment("smile", 5100),
        ];
        let found = agreement(SECONDS, &first, &second);
        let codes: Vec<&str> = found.codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["gaze", "smile"]);
        let (gaze, smile) = (&found.codes[0], &found.codes[1]);
        assert!((gaze.units.percent() - 90.0).abs() < 1e-9);
        assert!(close(gaze.units.kappa, 0.8), "{:?}", gaze.units);
        assert!((smile.units.percent() - 80.0).abs() < 1e-9);
        assert!(close(smile.units.kappa, 0.375), "{:?}", smile.units);
        assert!((found.overall_units.observed - 0.7).abs() < 1e-9);
        assert!((found.overall_units.by_chance - 0.32).abs() < 1e-9);
        assert!(close(found.overall_units.kappa, 0.38 / 0.68));

        assert_eq!(gaze.onsets.percent(), Some(100.0));
        assert_eq!(
            (
                smile.onsets.matched,
                smile.onsets.first_only,
                smile.onsets.second_only
            ),
            (1, 1, 1)
        );
        assert_eq!(found.overall_onsets.percent(), Some(50.0));

        // A tighter tolerance: the gaze onsets, a second apart, no longer match.
        let tight = agreement(
            Method {
                tolerance_millis: 500,
                ..SECONDS
            },
            &first,
            &second,
        );
        assert_eq!(tight.codes[0].onsets.percent(), Some(0.0));
        assert_eq!(tight.codes[1].onsets.matched, 1);
    }

    #[test]
    fn kappa_is_not_given_where_chance_alone_would_agree_fully() {
        // Both coders smile-code every unit: they agree throughout, but kappa is undefined.
        let all = [Coded::state("smile", 0, 10_000)];
        let found = agreement(SECONDS, &all, &all);
        assert_eq!(found.codes[0].units.kappa, None);
        assert_eq!(found.codes[0].units.percent(), 100.0);
        // Nothing coded by either: no codes, and overall nothing to compare but "nothing".
        let none = agreement(SECONDS, &[], &[]);
        assert!(none.codes.is_empty());
        assert_eq!(none.overall_units.kappa, None);
        assert_eq!(none.overall_onsets.percent(), None);
    }

    #[test]
    fn onsets_are_paired_once_and_as_many_as_can_be() {
        // 1.0 s could pair with 1.9 s, leaving 2.0 s to pair with 2.9 s: both pairs count.
        let first = [Coded::moment("smile", 1000), Coded::moment("smile", 2000)];
        let second = [Coded::moment("smile", 1900), Coded::moment("smile", 2900)];
        assert_eq!(
            agreement(SECONDS, &first, &second).overall_onsets.matched,
            2
        );
        // Two onsets of one coder never both pair with the one onset of the other.
        let twice = [Coded::moment("smile", 1000), Coded::moment("smile", 1200)];
        let once = [Coded::moment("smile", 1100)];
        let found = agreement(SECONDS, &twice, &once);
        assert_eq!(
            (
                found.overall_onsets.matched,
                found.overall_onsets.first_only
            ),
            (1, 1)
        );
    }

    #[test]
    fn the_method_is_written_in_words_beside_the_figures() {
        let words = SECONDS.in_words();
        assert!(words.contains("10 time units of 1 second"), "{words}");
        assert!(words.contains("within 1 second"), "{words}");
        let half = Method {
            unit_millis: 500,
            tolerance_millis: 2500,
            ..SECONDS
        };
        assert!(half
            .in_words()
            .contains("20 time units of 500 milliseconds"));
        assert!(half.in_words().contains("within 2.5 seconds"));
    }

    #[test]
    fn a_moment_at_the_very_end_counts_in_the_last_unit() {
        let end = [Coded::moment("smile", 10_000)];
        let units = coded_units(&SECONDS, &end);
        assert_eq!(units[9], ["smile"]);
    }
}
