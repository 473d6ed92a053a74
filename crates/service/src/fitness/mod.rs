//! 体质健康 (fitness): the read models of the `/fitness` overview, its tables, API twin and
//! XLSX export, the PE teacher's class view, a student's history, the national upload file and
//! the capability's indicator source. Every function takes the [`Service`](crate::Service),
//! the caller as a [`Viewer`](wuyu_domain::Viewer) where a caller matters, and a query.
//!
//! Read models carry numbers (the store's counts and rates as fractions); the edges format
//! them with `wuyu_monitor::display`, so a page and its export show the same digits.
mod advice;
mod class;
mod exempt;
mod export;
mod fix;
mod history;
pub(crate) mod import;
mod indicators;
mod lists;
mod overview;
mod summary;
mod upload;

pub use advice::{level_explanation_zh, practice_zh};
pub use class::{ClassView, class_view};
pub use exempt::{exempt, exemption, lift_exemption};
pub use export::{SummaryExport, summary_xlsx};
pub use fix::{ALL_ABSENT, FIX_FIELDS, fix_form, fix_record, measure};
pub use history::student_history;
pub use import::{NO_FITNESS_ROWS, import_fitness, preview_fitness};
pub use indicators::indicator;
pub(crate) use indicators::terms as indicator_terms;
pub use lists::{ClassList, ListCell, ListExport, ListLine, class_list, class_list_xlsx};
pub use overview::{
    GroupLine, GroupTable, Overview, RowTargets, StageLine, TargetCheck, TargetTally, overview,
};
pub use summary::{
    Summary, SummaryLine, SummaryQuery, group_header, group_label, summary, table_title,
};
pub use upload::{EXPORT_ACTION, TemplateExport, TemplateFormat, upload_template};

use wuyu_domain::Term;
use wuyu_store::FitnessTargets;

use crate::{Service, ServiceError};

/// The precision fitness rates (as percentages) and means are shown with.
pub const SHOWN_AT: wuyu_monitor::display::Precision = wuyu_monitor::display::Precision::One;

/// The term asked for (a term code), or the latest with records that has begun or is next;
/// `None` when there are none. A term far ahead (a typo such as 2099, imported with
/// `--force`) is listed but never the default.
pub fn pick_term(terms: &[Term], asked: Option<&str>) -> Result<Option<Term>, ServiceError> {
    let today = time::OffsetDateTime::now_utc().date();
    pick_term_on(terms, asked, today)
}

fn pick_term_on(
    terms: &[Term],
    asked: Option<&str>,
    today: time::Date,
) -> Result<Option<Term>, ServiceError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Term::parse_code(s)
            .map(Some)
            .map_err(|e| ServiceError::BadRequest(format!("term: {e}"))),
        None => {
            let latest = Term::of_date(today).map(Term::next).ok();
            Ok(terms
                .iter()
                .copied()
                .filter(|t| latest.is_some_and(|l| *t <= l))
                .max())
        }
    }
}

/// The last term with records before `term`.
pub fn previous_term(terms: &[Term], term: Term) -> Option<Term> {
    terms.iter().copied().filter(|t| *t < term).max()
}

/// The district's fitness targets (the typed settings; defaults when none is stored).
pub async fn targets(svc: &Service) -> Result<FitnessTargets, ServiceError> {
    Ok(svc.store().district_settings().await?.fitness_targets)
}

pub use crate::ranks::{ranks_hidden, ranks_token};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_term_is_the_last_one_with_records_before() {
        let t = |s| Term::parse_code(s).unwrap();
        let terms = [t("2023-autumn"), t("2024-spring"), t("2024-autumn")];
        assert_eq!(
            previous_term(&terms, t("2024-autumn")),
            Some(t("2024-spring"))
        );
        assert_eq!(previous_term(&terms, t("2023-autumn")), None);
        assert_eq!(pick_term(&terms, None).unwrap(), Some(t("2024-autumn")));
        assert!(pick_term(&terms, Some("nonsense")).is_err());
    }

    #[test]
    fn a_far_future_term_is_never_the_default() {
        let t = |s| Term::parse_code(s).unwrap();
        let terms = [t("2025-autumn"), t("2026-spring"), t("2099-autumn")];
        let today = time::macros::date!(2026 - 03 - 01);
        assert_eq!(
            pick_term_on(&terms, None, today).unwrap(),
            Some(t("2026-spring"))
        );
        // Asked for, it is shown.
        assert_eq!(
            pick_term_on(&terms, Some("2099-autumn"), today).unwrap(),
            Some(t("2099-autumn"))
        );
        assert_eq!(pick_term_on(&terms[2..], None, today).unwrap(), None);
    }
}
