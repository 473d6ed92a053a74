//! The embedded SQLite backend: the capability implementations (one copy of the code each,
//! written against [`This`]) instantiated for [`SqliteStore`], and what only SQLite does.
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;
use wuyu_domain::Exam;

use crate::StoreError;
use crate::backend::{CHUNK, FITNESS_CHUNK, corrupt, multi_row_insert};
use crate::exam::rows::*;
use crate::migrate::{self, Migration};
use sqlx::AssertSqlSafe;

pub(crate) type This = SqliteStore;
pub(crate) type Db = sqlx::Sqlite;
pub(crate) const BACKEND: &str = "sqlite";
/// SQLite binds anonymous `?` placeholders in multi-row inserts (see
/// [`crate::backend::multi_row_insert`]).
pub(crate) const NUMBERED_PARAMS: bool = false;
/// OR ROLLBACK ends the whole transaction on a constraint failure (an import is all or nothing
/// anyway), so the student INSERTs need no statement journal either.
pub(crate) const INSERT: &str = "INSERT OR ROLLBACK";

#[path = "accounts/imp.rs"]
mod accounts;
#[path = "archive/imp.rs"]
mod archive;
#[path = "audit/imp.rs"]
mod audit;
#[path = "audit/queue.rs"]
mod audit_queue;
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

/// The embedded default: one SQLite file in WAL mode with foreign keys on.
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// SQLite has one writer; imports also take this lock so they queue instead of failing
    /// with SQLITE_BUSY.
    pub(crate) write_lock: Arc<Mutex<()>>,
    /// Where audit entries go while the write lock is taken (none for an in-memory database).
    audit_queue: Option<Arc<audit_queue::AuditQueue>>,
    /// A connection that never writes, asked for `PRAGMA data_version`: SQLite changes that
    /// number for a connection whenever another connection (of any process) commits.
    version_conn: Option<Mutex<sqlx::SqliteConnection>>,
}

/// How long an audit entry waits for SQLite's write lock before it goes to the queue instead:
/// long enough for a session touch or another entry, far shorter than any import.
const AUDIT_WAIT_MS: u32 = 50;
/// The pool's usual busy timeout (see `open`), restored after a short wait.
const BUSY_TIMEOUT_MS: u32 = 30_000;

impl SqliteStore {
    pub async fn open(url_or_path: &str) -> Result<Self, StoreError> {
        let opts = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        }
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_millis(u64::from(BUSY_TIMEOUT_MS)))
        // 64 MiB page cache per connection (the default is 2 MiB): bulk imports update three
        // indexes in 学籍号 order, and a small cache turns that into disk reads.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
        let file = opts.get_filename().to_path_buf();
        let in_memory = opts.get_filename().as_os_str().is_empty()
            || file
                .to_str()
                .is_some_and(|f| f.starts_with(':') || f.contains("mode=memory"));
        let version_opts = opts.clone();
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        let version_conn = if in_memory {
            None
        } else {
            use sqlx::ConnectOptions;
            Some(Mutex::new(version_opts.connect().await?))
        };
        let audit_queue = if in_memory {
            None
        } else {
            Some(Arc::new(audit_queue::AuditQueue::open(&file).await?))
        };
        Ok(Self {
            pool,
            write_lock: Arc::new(Mutex::new(())),
            audit_queue,
            version_conn,
        })
    }

    /// Writes an audit entry without waiting for an import: directly when the write lock is
    /// free (entries still queued are moved first, so the log keeps its order), otherwise to
    /// the queue file, moved once the lock is free. Either way it is committed on return.
    pub(crate) async fn append_audit_entry(
        &self,
        e: &crate::model::AuditEntry,
    ) -> Result<(), StoreError> {
        let Some(queue) = &self.audit_queue else {
            return audit::insert_audit(&self.pool, e).await;
        };
        if let Ok(_guard) = self.write_lock.try_lock() {
            // No import of this process is writing; another process may be, hence the short wait.
            match self.append_directly(queue, e).await {
                Ok(()) => return Ok(()),
                Err(err) if audit_queue::is_busy(&err) => {}
                Err(err) => return Err(err),
            }
        }
        queue.push(e).await?;
        audit_queue::schedule_move(queue, &self.pool, &self.write_lock);
        Ok(())
    }

    async fn append_directly(
        &self,
        queue: &audit_queue::AuditQueue,
        e: &crate::model::AuditEntry,
    ) -> Result<(), StoreError> {
        let mut conn = self.short_wait_conn().await?;
        let mut result = Ok(());
        if queue.maybe_pending() {
            result = queue.move_into(&mut conn).await.map(drop);
        }
        if result.is_ok() {
            result = audit::insert_audit(&mut *conn, e).await;
        }
        Self::restore_wait(conn).await;
        result
    }

    /// A connection that gives up on SQLite's write lock after [`AUDIT_WAIT_MS`]; hand it to
    /// [`Self::restore_wait`] when done.
    async fn short_wait_conn(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query(AssertSqlSafe(format!(
            "PRAGMA busy_timeout = {AUDIT_WAIT_MS}"
        )))
        .execute(&mut *conn)
        .await?;
        Ok(conn)
    }

    async fn restore_wait(mut conn: sqlx::pool::PoolConnection<sqlx::Sqlite>) {
        if sqlx::query(AssertSqlSafe(format!(
            "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"
        )))
        .execute(&mut *conn)
        .await
        .is_err()
        {
            // Never hand a connection with the short timeout back to the pool.
            conn.close_on_drop();
        }
    }

    /// Records a session's last use without waiting for an import: when the write lock is
    /// taken the update is done in the background once it is free (a session touched a few
    /// seconds late is harmless; a page waiting for an import is not).
    pub(crate) async fn touch_session_row(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        const TOUCH: &str = "UPDATE user_session SET last_seen_at = $2 WHERE token_hash = $1";
        if let Ok(_guard) = self.write_lock.try_lock() {
            let mut conn = self.short_wait_conn().await?;
            let r = sqlx::query(TOUCH)
                .bind(token_hash)
                .bind(now)
                .execute(&mut *conn)
                .await;
            Self::restore_wait(conn).await;
            match r.map_err(StoreError::from) {
                Ok(_) => return Ok(()),
                Err(e) if audit_queue::is_busy(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let (pool, lock, hash) = (
            self.pool.clone(),
            Arc::clone(&self.write_lock),
            token_hash.to_string(),
        );
        tokio::spawn(async move {
            let _guard = lock.lock().await;
            if let Err(e) = sqlx::query(TOUCH)
                .bind(&hash)
                .bind(now)
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "session touch after the import failed");
            }
        });
        Ok(())
    }

    /// Moves queued audit entries now if the write lock is free (readers of the log call this
    /// so that a quiet server shows every entry in `audit_log`); never waits for an import.
    pub(crate) async fn settle_audit(&self) {
        let Some(queue) = &self.audit_queue else {
            return;
        };
        if !queue.maybe_pending() {
            return;
        }
        if let Ok(_guard) = self.write_lock.try_lock() {
            // Another process's import may hold SQLite's lock: then leave them queued.
            let moved = match self.short_wait_conn().await {
                Ok(mut conn) => {
                    let moved = queue.move_into(&mut conn).await;
                    Self::restore_wait(conn).await;
                    moved
                }
                Err(e) => Err(e),
            };
            if let Err(e) = moved {
                tracing::debug!(error = %e, "audit queue not moved yet");
            }
        }
    }

    pub(crate) async fn read_data_version(&self) -> Result<Option<u64>, StoreError> {
        let Some(conn) = &self.version_conn else {
            return Ok(None);
        };
        let mut conn = conn.lock().await;
        let (v,): (i64,) = sqlx::query_as("PRAGMA data_version")
            .fetch_one(&mut *conn)
            .await?;
        Ok(Some(v as u64))
    }

    /// Audit entries still in the queue, newest first.
    pub(crate) async fn pending_audit(&self) -> Result<Vec<crate::model::AuditEntry>, StoreError> {
        match &self.audit_queue {
            Some(q) => Ok(q
                .pending(&self.pool)
                .await?
                .into_iter()
                .map(|(_, e)| e)
                .collect()),
            None => Ok(Vec::new()),
        }
    }

    /// After the migrations: what a crash left in the audit queue goes into the log now.
    pub(crate) async fn after_migrate(&self) -> Result<(), StoreError> {
        let Some(queue) = &self.audit_queue else {
            return Ok(());
        };
        queue.keep_ids_above_mark(&self.pool).await?;
        let _guard = self.write_lock.lock().await;
        let mut conn = self.pool.acquire().await?;
        let n = queue.move_into(&mut conn).await?;
        if n > 0 {
            tracing::info!(
                moved = n,
                "audit entries from the queue moved into the audit log"
            );
        }
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn migrations() -> &'static [Migration] {
        migrate::SQLITE
    }

    /// Foreign keys are checked at commit instead of per statement: every row was resolved
    /// against the snapshot already, and per-statement checks make SQLite keep a statement
    /// journal (a copy of every page each multi-row INSERT touches).
    pub(crate) async fn prepare_bulk(
        tx: &mut sqlx::Transaction<'static, Db>,
    ) -> Result<(), StoreError> {
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// IMMEDIATE takes the write lock up front, so the snapshot an import reads cannot change
    /// before it writes.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl SqliteStore {
    /// Inserts the marks (sorted in primary-key order, so each run is one school and subject):
    /// multi-row VALUES with anonymous placeholders, the subject bound once per statement.
    pub(crate) async fn exam_write_marks(
        tx: &mut sqlx::Transaction<'static, Db>,
        exam: &Exam,
        import_id: i64,
        rows: &[ScoreW],
    ) -> Result<(), StoreError> {
        let mut start = 0;
        while start < rows.len() {
            let first = &rows[start];
            let mut end = start + 1;
            while end < rows.len()
                && end - start < CHUNK
                && rows[end].subject == first.subject
                && rows[end].school_id == first.school_id
            {
                end += 1;
            }
            let chunk = &rows[start..end];
            let mut sql = format!(
                "INSERT INTO exam_score (school_id, exam_id, subject, student_id, class_id, \
                 absent, score, item_points, import_id) \
                 SELECT column1, {}, ?, column2, column3, column4, column5, column6, {import_id} \
                 FROM (VALUES ",
                exam.id.0
            );
            for k in 0..chunk.len() {
                sql.push_str(if k == 0 {
                    "(?,?,?,?,?,?)"
                } else {
                    ",(?,?,?,?,?,?)"
                });
            }
            sql.push(')');
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(&exam.subjects[first.subject].name);
            for r in chunk {
                q = q
                    .bind(r.school_id)
                    .bind(r.student_id)
                    .bind(r.class_id)
                    .bind(r.absent)
                    .bind(r.score)
                    .bind(&r.item_points);
            }
            q.execute(&mut **tx).await?;
            start = end;
        }
        Ok(())
    }

    /// The batch's students: one JSON array of 学籍号 looked up through the 学籍号 index
    /// (CROSS JOIN keeps the array as the outer loop), one aggregated text back.
    pub(crate) async fn exam_lookup_students(
        conn: &mut sqlx::SqliteConnection,
        nos: &[&str],
    ) -> Result<Option<String>, StoreError> {
        let list = serde_json::to_string(nos).map_err(|e| corrupt("student numbers", e))?;
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT string_agg(s.student_no || ' ' || CAST(s.school_id AS TEXT) || ' ' || \
               CAST(s.id AS TEXT) || ' ' || CAST(s.class_id AS TEXT), ',') \
             FROM json_each($1) j CROSS JOIN student s ON s.student_no = j.value",
        )
        .bind(list)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.0)
    }

    /// Writes the scored records, upserted in multi-row statements. Each statement's 25,000
    /// arguments are built while SQLite runs the one before on its worker thread, so building
    /// them costs no wall time. (PostgreSQL uses `COPY`: `PgStore::fitness_write_records`.)
    pub(crate) async fn fitness_write_records(
        tx: &mut sqlx::Transaction<'static, Db>,
        plan: &[crate::fitness::FitnessW],
        import_id: i64,
    ) -> Result<(), StoreError> {
        let tail = crate::fitness::upsert_tail();
        let head = format!(
            "INSERT INTO fitness_record ({})",
            crate::fitness::RECORD_COLS
        );
        let build = |chunk: &[crate::fitness::FitnessW]| {
            let sql = multi_row_insert(
                &head,
                crate::fitness::RECORD_COL_COUNT,
                chunk.len(),
                &tail,
                false,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for w in chunk {
                q = q
                    .bind(w.school_id)
                    .bind(w.student_id)
                    .bind(w.term.code())
                    .bind(w.test_date)
                    .bind(w.grade)
                    .bind(w.sex)
                    .bind(w.age_years)
                    .bind(w.m.height_cm)
                    .bind(w.m.weight_kg);
                for v in w.values() {
                    q = q.bind(v);
                }
                q = q.bind(w.bmi).bind(w.bmi_category);
                for s in w.scores {
                    q = q.bind(s);
                }
                for b in w.bonuses {
                    q = q.bind(b);
                }
                q = q
                    .bind(w.bonus_total)
                    .bind(w.standard_score)
                    .bind(w.year_total)
                    .bind(w.level)
                    .bind(w.status)
                    .bind(w.missing.clone())
                    .bind(w.weight_status)
                    .bind(w.malnutrition)
                    .bind(w.m.acuity_left)
                    .bind(w.m.acuity_right)
                    .bind(w.m.se_left)
                    .bind(w.m.se_right)
                    .bind(w.vision_status)
                    .bind(import_id);
            }
            q
        };
        let mut chunks = plan.chunks(FITNESS_CHUNK);
        let mut next = chunks.next().map(build);
        while let Some(q) = next.take() {
            let following = chunks.next();
            // `join` polls the statement first, which hands it to the database, then builds
            // the next one here while it runs.
            let (done, built) = tokio::join!(q.execute(&mut **tx), async { following.map(build) });
            done?;
            next = built;
        }
        Ok(())
    }

    /// Inserts new students in multi-row statements (`INSERT OR ROLLBACK`: a duplicate ends
    /// the whole import).
    pub(crate) async fn roster_insert_students(
        tx: &mut sqlx::Transaction<'static, Db>,
        students: &[crate::roster::plan::StudentW],
    ) -> Result<(), StoreError> {
        use wuyu_domain::StudentStatus;
        for chunk in students.chunks(CHUNK) {
            let sql = multi_row_insert(
                &format!(
                    "{INSERT} INTO student (school_id, id, class_id, student_no, name, sex, \
             birth_date, id_card_no, ethnicity, former_names, status, status_date)"
                ),
                12,
                chunk.len(),
                "",
                false,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for s in chunk {
                q = q
                    .bind(s.school_id)
                    .bind(s.id)
                    .bind(s.class_id)
                    .bind(&s.student_no)
                    .bind(&s.name)
                    .bind(s.sex)
                    .bind(s.birth_date)
                    .bind(&s.id_card_no)
                    .bind(s.ethnicity)
                    .bind(s.former_names.as_deref().unwrap_or(""))
                    .bind(s.status.map_or(StudentStatus::default().code(), |x| x.0))
                    .bind(s.status.and_then(|x| x.1));
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}
