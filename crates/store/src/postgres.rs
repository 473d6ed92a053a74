//! The PostgreSQL backend: the capability implementations (one copy of the code each,
//! written against [`This`]) instantiated for [`PgStore`], and what only PostgreSQL does.
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgPool};
use tokio::sync::Mutex;
use wuyu_domain::Exam;

use crate::StoreError;
use crate::exam::rows::*;
use crate::migrate::{self, Migration};

pub(crate) type This = PgStore;
pub(crate) type Db = sqlx::Postgres;
pub(crate) const BACKEND: &str = "postgres";
pub(crate) const NUMBERED_PARAMS: bool = true;

#[path = "accounts/imp.rs"]
mod accounts;
#[path = "archive/imp.rs"]
mod archive;
#[path = "audit/imp.rs"]
mod audit;
#[path = "bulletin/imp.rs"]
mod bulletin;
#[path = "exam/imp.rs"]
mod exam;
#[path = "exam/candidates.rs"]
mod exam_candidates;
#[path = "exam/load.rs"]
mod exam_load;
#[path = "exam/write.rs"]
mod exam_write;
#[path = "fitness/imp.rs"]
mod fitness;
#[path = "import_centre/imp.rs"]
mod import_centre;
#[path = "import_undo/imp.rs"]
mod import_undo;
#[path = "plan/imp.rs"]
mod plan;
#[path = "plan_edit/imp.rs"]
mod plan_edit;
#[path = "plan_registry/imp.rs"]
mod plan_registry;
#[path = "plan_report/imp.rs"]
mod plan_report;
#[path = "psych/imp.rs"]
mod psych;
#[path = "psych/scales_imp.rs"]
mod psych_scales;
#[path = "psych_work/imp.rs"]
mod psych_work;
#[path = "roster/imp.rs"]
mod roster;
#[path = "settings/imp.rs"]
mod settings;
#[path = "staff/imp.rs"]
mod staff;
#[path = "store_imp.rs"]
mod store_imp;
#[path = "survey/imp.rs"]
mod survey;

/// PostgreSQL, for servers.
pub struct PgStore {
    pub(crate) pool: PgPool,
    pub(crate) write_lock: Mutex<()>,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// PostgreSQL's writers do not block an insert into `audit_log`: entries go there directly.
    pub(crate) async fn append_audit_entry(
        &self,
        e: &crate::model::AuditEntry,
    ) -> Result<(), StoreError> {
        audit::insert_audit(&self.pool, e).await
    }

    pub(crate) async fn settle_audit(&self) {}

    /// None: the WAL position would be cheap, but a commit's WAL record is written a moment
    /// before the commit becomes visible, so a read model computed in that moment would be
    /// kept as new while showing the old data.
    pub(crate) async fn read_data_version(&self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }

    pub(crate) async fn touch_session_row(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE user_session SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn pending_audit(&self) -> Result<Vec<crate::model::AuditEntry>, StoreError> {
        Ok(Vec::new())
    }

    pub(crate) async fn after_migrate(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn migrations() -> &'static [Migration] {
        migrate::POSTGRES
    }

    pub(crate) async fn prepare_bulk(
        _tx: &mut sqlx::Transaction<'static, Db>,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// An advisory lock serialises imports across server processes sharing the database.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7301)")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

impl PgStore {
    /// Inserts the marks with `COPY … FROM STDIN` (text format).
    pub(crate) async fn exam_write_marks(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        import_id: i64,
        rows: &[ScoreW],
    ) -> Result<(), StoreError> {
        use std::fmt::Write;
        let subjects: Vec<String> = exam.subjects.iter().map(|s| copy_text(&s.name)).collect();
        copy_rows(
            tx,
            "COPY exam_score (school_id, exam_id, subject, student_id, class_id, absent, \
             score, item_points, import_id) FROM STDIN",
            rows,
            |buf, r| {
                let _ = write!(
                    buf,
                    "{}\t{}\t{}\t{}\t{}\t{}\t",
                    r.school_id,
                    exam.id.0,
                    subjects[r.subject],
                    r.student_id,
                    r.class_id,
                    if r.absent { 't' } else { 'f' }
                );
                match r.score {
                    // Debug formatting is the shortest text that reads back as the same f64.
                    Some(x) => {
                        let _ = write!(buf, "{x:?}");
                    }
                    None => buf.push_str("\\N"),
                }
                buf.push('\t');
                match &r.item_points {
                    Some(p) => buf.push_str(&copy_text(p)),
                    None => buf.push_str("\\N"),
                }
                let _ = writeln!(buf, "\t{import_id}");
            },
        )
        .await
    }

    /// Writes the scored records: `COPY` into a staging table (text format, no bound
    /// parameters), then one `INSERT … SELECT` upsert into `fitness_record`, so a record
    /// already on file for the term is replaced as with SQLite's upsert.
    pub(crate) async fn fitness_write_records(
        tx: &mut sqlx::Transaction<'static, Db>,
        plan: &[crate::fitness::FitnessW],
        import_id: i64,
    ) -> Result<(), StoreError> {
        use crate::fitness::{RECORD_COLS, upsert_tail};
        if plan.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "CREATE TEMP TABLE fitness_stage (LIKE fitness_record INCLUDING DEFAULTS) \
             ON COMMIT DROP",
        )
        .execute(&mut **tx)
        .await?;
        let statement = format!("COPY fitness_stage ({RECORD_COLS}) FROM STDIN");
        copy_rows(tx, &statement, plan, |buf, w| {
            fitness_copy_line(buf, w, import_id)
        })
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO fitness_record ({RECORD_COLS}) SELECT {RECORD_COLS} FROM fitness_stage{}",
            upsert_tail()
        )))
        .execute(&mut **tx)
        .await?;
        sqlx::query("DROP TABLE fitness_stage")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Inserts new students with `COPY … FROM STDIN` (text format); a duplicate key fails the
    /// statement and so the whole import.
    pub(crate) async fn roster_insert_students(
        tx: &mut sqlx::Transaction<'static, Db>,
        students: &[crate::roster::plan::StudentW],
    ) -> Result<(), StoreError> {
        use std::fmt::Write;
        use wuyu_domain::StudentStatus;
        copy_rows(
            tx,
            "COPY student (school_id, id, class_id, student_no, name, sex, birth_date, \
                 id_card_no, ethnicity, former_names, status, status_date) FROM STDIN",
            students,
            |buf, s| {
                let _ = write!(
                    buf,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
                    s.school_id,
                    s.id,
                    s.class_id,
                    copy_text(&s.student_no),
                    copy_text(&s.name),
                    s.sex,
                    s.birth_date
                );
                match &s.id_card_no {
                    Some(no) => buf.push_str(&copy_text(no)),
                    None => buf.push_str("\\N"),
                }
                buf.push('\t');
                match s.ethnicity {
                    Some(e) => {
                        let _ = write!(buf, "{e}");
                    }
                    None => buf.push_str("\\N"),
                }
                buf.push('\t');
                buf.push_str(&copy_text(s.former_names.as_deref().unwrap_or("")));
                buf.push('\t');
                buf.push_str(s.status.map_or(StudentStatus::default().code(), |x| x.0));
                buf.push('\t');
                match s.status.and_then(|x| x.1) {
                    Some(d) => {
                        let _ = writeln!(buf, "{d}");
                    }
                    None => buf.push_str("\\N\n"),
                }
            },
        )
        .await
    }

    /// The batch's students: one array of 学籍号 joined with `student`, one aggregated text
    /// back.
    pub(crate) async fn exam_lookup_students(
        conn: &mut sqlx::PgConnection,
        nos: &[&str],
    ) -> Result<Option<String>, StoreError> {
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT string_agg(s.student_no || ' ' || CAST(s.school_id AS TEXT) || ' ' || \
               CAST(s.id AS TEXT) || ' ' || CAST(s.class_id AS TEXT), ',') \
             FROM unnest($1::text[]) AS j(no) JOIN student s ON s.student_no = j.no",
        )
        .bind(nos)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.0)
    }
}

/// One record as a line of `COPY … FROM STDIN` text, columns in [`crate::fitness::RECORD_COLS`]
/// order (`\N` for a missing value).
fn fitness_copy_line(buf: &mut String, w: &crate::fitness::FitnessW, import_id: i64) {
    use std::fmt::Write;
    fn f64_cell(buf: &mut String, v: Option<f64>) {
        match v {
            // Debug formatting is the shortest text that reads back as the same f64.
            Some(x) => {
                let _ = write!(buf, "{x:?}\t");
            }
            None => buf.push_str("\\N\t"),
        }
    }
    fn int_cell(buf: &mut String, v: Option<i32>) {
        match v {
            Some(x) => {
                let _ = write!(buf, "{x}\t");
            }
            None => buf.push_str("\\N\t"),
        }
    }
    fn text_cell(buf: &mut String, v: Option<&str>) {
        match v {
            Some(s) => {
                buf.push_str(&copy_text(s));
                buf.push('\t');
            }
            None => buf.push_str("\\N\t"),
        }
    }
    let _ = write!(
        buf,
        "{}\t{}\t{}\t{}\t{}\t{}\t",
        w.school_id,
        w.student_id,
        w.term.code(),
        w.test_date,
        w.grade,
        w.sex
    );
    f64_cell(buf, Some(w.age_years));
    f64_cell(buf, w.m.height_cm);
    f64_cell(buf, w.m.weight_kg);
    for v in w.values() {
        f64_cell(buf, v);
    }
    f64_cell(buf, w.bmi);
    text_cell(buf, w.bmi_category);
    for s in w.scores {
        int_cell(buf, s);
    }
    for b in w.bonuses {
        int_cell(buf, b);
    }
    int_cell(buf, Some(w.bonus_total));
    f64_cell(buf, w.standard_score);
    f64_cell(buf, w.year_total);
    text_cell(buf, w.level);
    text_cell(buf, Some(w.status));
    text_cell(buf, Some(&w.missing));
    text_cell(buf, w.weight_status);
    text_cell(buf, w.malnutrition);
    f64_cell(buf, w.m.acuity_left);
    f64_cell(buf, w.m.acuity_right);
    f64_cell(buf, w.m.se_left);
    f64_cell(buf, w.m.se_right);
    text_cell(buf, w.vision_status);
    let _ = writeln!(buf, "{import_id}");
}

/// Streams `rows` into `statement` (`COPY … FROM STDIN`, text format) in pieces of about 4 MB,
/// each row written as one line by `line`.
async fn copy_rows<T>(
    tx: &mut sqlx::Transaction<'static, Db>,
    statement: &str,
    rows: &[T],
    mut line: impl FnMut(&mut String, &T),
) -> Result<(), StoreError> {
    const PIECE: usize = 1 << 22;
    if rows.is_empty() {
        return Ok(());
    }
    let mut copy = (**tx).copy_in_raw(statement).await?;
    let mut buf = String::with_capacity(PIECE);
    for r in rows {
        line(&mut buf, r);
        if buf.len() > PIECE - 4096 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}
