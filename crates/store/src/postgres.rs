//! The PostgreSQL backend: the capability implementations (one copy of the code each,
//! written against [`This`]) instantiated for [`PgStore`], and what only PostgreSQL does.
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::Mutex;
use wuyu_domain::Exam;

use crate::StoreError;
use crate::exam::rows::*;
use crate::migrate::{self, Migration};

pub(crate) type This = PgStore;
pub(crate) type Db = sqlx::Postgres;
pub(crate) const BACKEND: &str = "postgres";
pub(crate) const NUMBERED_PARAMS: bool = true;
pub(crate) const INSERT: &str = "INSERT";

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
        if rows.is_empty() {
            return Ok(());
        }
        let subjects: Vec<String> = exam.subjects.iter().map(|s| copy_text(&s.name)).collect();
        let mut copy = (**tx)
            .copy_in_raw(
                "COPY exam_score (school_id, exam_id, subject, student_id, class_id, absent, \
                 score, item_points, import_id) FROM STDIN",
            )
            .await?;
        let mut buf = String::with_capacity(1 << 22);
        for r in rows {
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
            if buf.len() > (1 << 22) - 256 {
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
