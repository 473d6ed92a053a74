//! `--term` on every command: one parser (every form schools write, see
//! `wuyu_domain::TERM_FORMS_ZH`), dates checked against the term, and far terms confirmed.
use anyhow::bail;
use time::Date;
use wuyu_domain::Term;

/// Parses `--term`, with the accepted forms in the error.
pub fn parse_term(s: &str) -> anyhow::Result<Term> {
    Term::parse_code(s).map_err(|e| anyhow::anyhow!("--term：{e}"))
}

/// A date (exam, test) must fall in its term: a date outside is a wrong term or a wrong date.
pub fn check_date_in_term(what: &str, date: Date, term: Term) -> anyhow::Result<()> {
    if !term.contains(date) {
        bail!(
            "{what} {date} 不在 {} 内；请核对日期，或用 --term 给出该日期所在的学期（{}）",
            term.describe_zh(),
            Term::of_date(date).map(Term::code).unwrap_or_default()
        );
    }
    Ok(())
}

/// A term far from today (2099, or more than twelve school years back) is almost always a
/// typo: it needs `--force`.
pub fn check_near(term: Term, force: bool) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    if term.is_far_from(today) && !force {
        bail!(
            "--term：{} 离今天（{today}）很远，多半是输入错误；确认无误请加 --force",
            term.describe_zh()
        );
    }
    Ok(())
}
