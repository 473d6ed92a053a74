//! The two backends. Their SQL is the same text (both accept `$1` placeholders), so one
//! macro writes the `Store` implementation for each pool type; what differs (connection
//! set-up, migrations, how a write transaction starts) lives in each type's inherent impl.
//! This is not the `Any` driver: each backend is its own concrete, fully typed sqlx pool.
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use tokio::sync::Mutex;
use wuyu_domain::{
    ClassId, District, EthnicityCode, Exam, ExamId, ExamItemBatch, ExamScoreBatch, Grade, IdCardNo,
    Location, NewExam, PersonName, Role, School, SchoolClass, SchoolCode, SchoolId, Scope, Sex,
    Stage, Student, StudentId, StudentNo, TeacherId, User, UserId,
};

use crate::exam::*;
use crate::fitness::{
    self, ClassFitnessRow, FitnessGroupBy, FitnessImportSummary, FitnessItemRow, FitnessRecord,
    FitnessSummaryRow,
};
use crate::migrate::{self, Migration};
use crate::model::*;
use crate::roster::{self, Snapshot};
use crate::{Store, StoreError, StoreFuture};

/// Rows per multi-row INSERT: 1,000 rows × ≤ 9 columns stays under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
const CHUNK: usize = 1000;

/// Rows per multi-row fitness upsert: 500 rows × 51 columns = 25,500 bind parameters.
const FITNESS_CHUNK: usize = 500;

/// The embedded default: one SQLite file in WAL mode with foreign keys on.
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// SQLite has one writer; imports also take this lock so they queue instead of failing
    /// with SQLITE_BUSY.
    pub(crate) write_lock: Mutex<()>,
}

/// PostgreSQL, for servers.
pub struct PgStore {
    pub(crate) pool: PgPool,
    pub(crate) write_lock: Mutex<()>,
}

/// Opens the store a URL names: `postgres://…` or `postgresql://…` for PostgreSQL, anything
/// else (`sqlite://path`, `sqlite:path` or a plain file path) for SQLite. Does not migrate.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

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
        .busy_timeout(Duration::from_secs(30))
        // 64 MiB page cache per connection (the default is 2 MiB): bulk imports update three
        // indexes in 学籍号 order, and a small cache turns that into disk reads.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
        })
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
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    ) -> Result<(), StoreError> {
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// IMMEDIATE takes the write lock up front, so the snapshot an import reads cannot change
    /// before it writes.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
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

    fn migrations() -> &'static [Migration] {
        migrate::POSTGRES
    }

    pub(crate) async fn prepare_bulk(
        _tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// An advisory lock serialises imports across server processes sharing the database.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7301)")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)…` for `rows` rows of `cols` columns, or
/// with anonymous `?` placeholders when `numbered` is false. SQLite needs the anonymous form
/// here: it finds a numbered parameter's name by a linear scan, which makes binding thousands
/// of `$n` parameters quadratic (measured: 7,000 rows/s with `$n`).
pub(crate) fn multi_row_insert(
    head: &str,
    cols: usize,
    rows: usize,
    tail: &str,
    numbered: bool,
) -> String {
    let mut s = String::with_capacity(head.len() + rows * cols * 7 + tail.len());
    s.push_str(head);
    s.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            if numbered {
                n += 1;
                s.push('$');
                s.push_str(&n.to_string());
            } else {
                s.push('?');
            }
        }
        s.push(')');
    }
    s.push_str(tail);
    s
}

type SchoolTuple = (i64, String, String, String, String, Option<String>);
type ClassTuple = (i64, i64, i32, String);
type StudentTuple = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    time::Date,
    Option<String>,
    Option<i32>,
);
type UserTuple = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

const SCHOOL_COLS: &str = "s.id, s.code, s.name, s.stage, s.location, s.school_group";
const STUDENT_COLS: &str =
    "school_id, id, class_id, student_no, name, sex, birth_date, id_card_no, ethnicity";
const USER_COLS: &str =
    "u.id, u.username, u.display_name, u.role, u.school_id, u.teacher_id, u.student_id";

fn school_from(t: SchoolTuple) -> Result<School, StoreError> {
    Ok(School {
        id: SchoolId(t.0),
        code: SchoolCode::parse(&t.1).map_err(|e| corrupt("school.code", e))?,
        name: t.2,
        stage: Stage::parse(&t.3).map_err(|e| corrupt("school.stage", e))?,
        location: Location::parse(&t.4).map_err(|e| corrupt("school.location", e))?,
        school_group: t.5,
    })
}

fn class_from(t: ClassTuple) -> Result<SchoolClass, StoreError> {
    Ok(SchoolClass {
        school_id: SchoolId(t.0),
        id: ClassId(t.1),
        grade: u8::try_from(t.2)
            .ok()
            .and_then(|g| Grade::new(g).ok())
            .ok_or_else(|| corrupt("school_class.grade", t.2))?,
        name: t.3,
    })
}

fn student_from(t: StudentTuple) -> Result<Student, StoreError> {
    Ok(Student {
        school_id: SchoolId(t.0),
        id: StudentId(t.1),
        class_id: ClassId(t.2),
        student_no: StudentNo::parse(&t.3).map_err(|e| corrupt("student.student_no", e))?,
        name: PersonName::parse(&t.4).map_err(|e| corrupt("student.name", e))?,
        sex: Sex::parse(&t.5).map_err(|e| corrupt("student.sex", e))?,
        birth_date: t.6,
        id_card_no: t
            .7
            .as_deref()
            .map(IdCardNo::parse)
            .transpose()
            .map_err(|e| corrupt("student.id_card_no", e))?,
        ethnicity: t
            .8
            .map(|e| {
                u8::try_from(e)
                    .ok()
                    .and_then(|e| EthnicityCode::new(e).ok())
                    .ok_or_else(|| corrupt("student.ethnicity", e))
            })
            .transpose()?,
    })
}

fn user_from(t: UserTuple) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(t.0),
        username: t.1,
        display_name: t.2,
        role: Role::parse(&t.3).map_err(|e| corrupt("app_user.role", e))?,
        school_id: t.4.map(SchoolId),
        teacher_id: t.5.map(TeacherId),
        student_id: t.6.map(StudentId),
    })
}

pub(crate) fn map_unique(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(what.to_string())
        }
        _ => StoreError::Db(e),
    }
}

/// Rebuilds the fitness rollup of each `(school_id, term code)` pair inside the open
/// transaction `$tx` (see migration 0004 and [`fitness::rollup_build_sql`]).
macro_rules! refresh_fitness_rollup {
    ($tx:expr, $pairs:expr) => {{
        let build = fitness::rollup_build_sql();
        for (school_id, term) in $pairs {
            sqlx::query(fitness::ROLLUP_DELETE)
                .bind(&term)
                .bind(school_id)
                .execute(&mut *$tx)
                .await?;
            sqlx::query(AssertSqlSafe(build.as_str()))
                .bind(&term)
                .bind(school_id)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// The rows of a grouped fitness aggregate (`aggs` over the rollup, or the same rows computed
/// live for a term without rollup rows) for the caller's scope, inside a `Store` method.
macro_rules! fitness_grouped_rows {
    ($self:ident, $scope:expr, $school:expr, $term:expr, $by:expr, $aggs:expr) => {{
        let (filter, binds) = fitness::aggregate_filter($scope, $school, 2)?;
        let materialized = sqlx::query(fitness::ROLLUP_HAS_TERM)
            .bind($term.code())
            .fetch_optional(&$self.pool)
            .await?
            .is_some();
        let sql = fitness::grouped_sql($by, &$aggs, &filter, materialized);
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind($term.code());
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&$self.pool).await?
    }};
}

macro_rules! store_impl {
    ($store:ident, $backend:literal, numbered_params: $numbered:literal, insert: $insert:literal) => {
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            fn migrate(&self) -> StoreFuture<'_, ()> {
                Box::pin(async move {
                    sqlx::query(migrate::CREATE_TABLE).execute(&self.pool).await?;
                    let done: Vec<(i64,)> =
                        sqlx::query_as("SELECT version FROM schema_migration")
                            .fetch_all(&self.pool)
                            .await?;
                    for m in Self::migrations() {
                        if done.iter().any(|d| d.0 == m.version) {
                            continue;
                        }
                        let mut tx = self.pool.begin().await?;
                        sqlx::raw_sql(AssertSqlSafe(m.sql)).execute(&mut *tx).await?;
                        sqlx::query(
                            "INSERT INTO schema_migration (version, name, applied_at) \
                             VALUES ($1, $2, $3)",
                        )
                        .bind(m.version)
                        .bind(m.name)
                        .bind(now_unix())
                        .execute(&mut *tx)
                        .await?;
                        tx.commit().await?;
                        tracing::info!(version = m.version, name = m.name, "applied migration");
                    }
                    Ok(())
                })
            }

            fn district(&self) -> StoreFuture<'_, Option<District>> {
                Box::pin(async move {
                    let row: Option<(String, String)> =
                        sqlx::query_as("SELECT code, name FROM district WHERE id = 1")
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(row.map(|(code, name)| District { code, name }))
                })
            }

            fn set_district<'a>(&'a self, d: &'a District) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO district (id, code, name) VALUES (1, $1, $2) \
                         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name",
                    )
                    .bind(&d.code)
                    .bind(&d.name)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
            }

            fn setting<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
                Box::pin(async move {
                    let row: Option<(String,)> =
                        sqlx::query_as("SELECT value FROM setting WHERE key = $1")
                            .bind(key)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(row.map(|r| r.0))
                })
            }

            fn set_setting<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO setting (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
            }

            fn list_schools<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<SchoolSummary>> {
                Box::pin(async move {
                    let mut sql = format!(
                        "SELECT {SCHOOL_COLS}, COALESCE(c.n, 0), COALESCE(st.n, 0) FROM school s \
                         LEFT JOIN (SELECT school_id, COUNT(*) AS n FROM school_class GROUP BY school_id) c \
                           ON c.school_id = s.id \
                         LEFT JOIN (SELECT school_id, COUNT(*) AS n FROM student GROUP BY school_id) st \
                           ON st.school_id = s.id"
                    );
                    if scope.school_id().is_some() {
                        sql.push_str(" WHERE s.id = $1");
                    }
                    sql.push_str(" ORDER BY s.code");
                    let mut q = sqlx::query_as::<_, (i64, String, String, String, String, Option<String>, i64, i64)>(
                        AssertSqlSafe(sql),
                    );
                    if let Some(id) = scope.school_id() {
                        q = q.bind(id.0);
                    }
                    let rows = q.fetch_all(&self.pool).await?;
                    rows.into_iter()
                        .map(|r| {
                            Ok(SchoolSummary {
                                school: school_from((r.0, r.1, r.2, r.3, r.4, r.5))?,
                                class_count: r.6,
                                student_count: r.7,
                            })
                        })
                        .collect()
                })
            }

            fn school<'a>(&'a self, scope: &'a Scope, id: SchoolId) -> StoreFuture<'a, School> {
                Box::pin(async move {
                    if !scope.can_view_school(id) {
                        return Err(StoreError::Forbidden);
                    }
                    let row: Option<SchoolTuple> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {SCHOOL_COLS} FROM school s WHERE s.id = $1"
                    )))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    school_from(row.ok_or(StoreError::NotFound)?)
                })
            }

            fn list_classes<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
            ) -> StoreFuture<'a, Vec<ClassSummary>> {
                Box::pin(async move {
                    if !scope.can_list_school_roster(school) {
                        return Err(StoreError::Forbidden);
                    }
                    let rows: Vec<(i64, i64, i32, String, i64)> = sqlx::query_as(
                        "SELECT c.school_id, c.id, c.grade, c.name, COALESCE(st.n, 0) \
                         FROM school_class c \
                         LEFT JOIN (SELECT class_id, COUNT(*) AS n FROM student \
                                    WHERE school_id = $1 GROUP BY class_id) st ON st.class_id = c.id \
                         WHERE c.school_id = $1 ORDER BY c.grade, c.name",
                    )
                    .bind(school.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in rows {
                        let class = class_from((r.0, r.1, r.2, r.3))?;
                        if scope.can_view_class(school, class.id) {
                            out.push(ClassSummary {
                                class,
                                student_count: r.4,
                            });
                        }
                    }
                    Ok(out)
                })
            }

            fn class<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                class: ClassId,
            ) -> StoreFuture<'a, SchoolClass> {
                Box::pin(async move {
                    if !scope.can_view_class(school, class) {
                        return Err(StoreError::Forbidden);
                    }
                    let row: Option<ClassTuple> = sqlx::query_as(
                        "SELECT school_id, id, grade, name FROM school_class \
                         WHERE school_id = $1 AND id = $2",
                    )
                    .bind(school.0)
                    .bind(class.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    class_from(row.ok_or(StoreError::NotFound)?)
                })
            }

            fn list_students<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                class: Option<ClassId>,
            ) -> StoreFuture<'a, Vec<Student>> {
                Box::pin(async move {
                    match class {
                        Some(c) if !scope.can_view_class(school, c) => {
                            return Err(StoreError::Forbidden);
                        }
                        None if !scope.can_list_school_roster(school) => {
                            return Err(StoreError::Forbidden);
                        }
                        _ => {}
                    }
                    let mut sql = format!("SELECT {STUDENT_COLS} FROM student WHERE school_id = $1");
                    if class.is_some() {
                        sql.push_str(" AND class_id = $2");
                    }
                    sql.push_str(" ORDER BY class_id, student_no");
                    let mut q = sqlx::query_as::<_, StudentTuple>(AssertSqlSafe(sql)).bind(school.0);
                    if let Some(c) = class {
                        q = q.bind(c.0);
                    }
                    let rows = q.fetch_all(&self.pool).await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in rows {
                        let s = student_from(r)?;
                        if scope.can_view_student(school, s.class_id, s.id) {
                            out.push(s);
                        }
                    }
                    Ok(out)
                })
            }

            fn student<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                student: StudentId,
            ) -> StoreFuture<'a, Student> {
                Box::pin(async move {
                    if !scope.can_view_school(school) {
                        return Err(StoreError::Forbidden);
                    }
                    let row: Option<StudentTuple> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {STUDENT_COLS} FROM student WHERE school_id = $1 AND id = $2"
                    )))
                    .bind(school.0)
                    .bind(student.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    let s = student_from(row.ok_or(StoreError::NotFound)?)?;
                    if !scope.can_view_student(school, s.class_id, s.id) {
                        return Err(StoreError::Forbidden);
                    }
                    Ok(s)
                })
            }

            fn class_of_student<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                student: StudentId,
            ) -> StoreFuture<'a, SchoolClass> {
                Box::pin(async move {
                    let s = self.student(scope, school, student).await?;
                    let row: Option<ClassTuple> = sqlx::query_as(
                        "SELECT school_id, id, grade, name FROM school_class \
                         WHERE school_id = $1 AND id = $2",
                    )
                    .bind(school.0)
                    .bind(s.class_id.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    class_from(row.ok_or(StoreError::NotFound)?)
                })
            }

            fn district_overview<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<OverviewCell>> {
                Box::pin(async move {
                    if !scope.is_district() {
                        return Err(StoreError::Forbidden);
                    }
                    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
                        "SELECT s.stage, s.location, COUNT(*), \
                                CAST(COALESCE(SUM(c.n), 0) AS BIGINT), \
                                CAST(COALESCE(SUM(st.n), 0) AS BIGINT) \
                         FROM school s \
                         LEFT JOIN (SELECT school_id, COUNT(*) AS n FROM school_class GROUP BY school_id) c \
                           ON c.school_id = s.id \
                         LEFT JOIN (SELECT school_id, COUNT(*) AS n FROM student GROUP BY school_id) st \
                           ON st.school_id = s.id \
                         GROUP BY s.stage, s.location ORDER BY s.stage, s.location",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.into_iter()
                        .map(|r| {
                            Ok(OverviewCell {
                                stage: Stage::parse(&r.0).map_err(|e| corrupt("school.stage", e))?,
                                location: Location::parse(&r.1)
                                    .map_err(|e| corrupt("school.location", e))?,
                                schools: r.2,
                                classes: r.3,
                                students: r.4,
                            })
                        })
                        .collect()
                })
            }

            fn list_assignments<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
            ) -> StoreFuture<'a, Vec<AssignmentView>> {
                Box::pin(async move {
                    if !scope.can_list_school_roster(school) {
                        return Err(StoreError::Forbidden);
                    }
                    let rows: Vec<(i64, String, String, i64, String, f64)> = sqlx::query_as(
                        "SELECT a.teacher_id, t.name, t.staff_no, a.class_id, a.subject, a.share \
                         FROM teacher_assignment a JOIN teacher t \
                           ON t.school_id = a.school_id AND t.id = a.teacher_id \
                         WHERE a.school_id = $1 ORDER BY a.class_id, a.subject, t.staff_no",
                    )
                    .bind(school.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .filter(|r| scope.can_view_class(school, ClassId(r.3)))
                        .map(|r| AssignmentView {
                            teacher_id: TeacherId(r.0),
                            teacher_name: r.1,
                            staff_no: r.2,
                            class_id: ClassId(r.3),
                            subject: r.4,
                            share: r.5,
                        })
                        .collect())
                })
            }

            fn school_by_code<'a>(&'a self, code: &'a str) -> StoreFuture<'a, Option<SchoolId>> {
                Box::pin(async move {
                    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM school WHERE code = $1")
                        .bind(code)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.map(|r| SchoolId(r.0)))
                })
            }

            fn teacher_by_staff_no<'a>(
                &'a self,
                school: SchoolId,
                staff_no: &'a str,
            ) -> StoreFuture<'a, Option<TeacherId>> {
                Box::pin(async move {
                    let row: Option<(i64,)> = sqlx::query_as(
                        "SELECT id FROM teacher WHERE school_id = $1 AND staff_no = $2",
                    )
                    .bind(school.0)
                    .bind(staff_no)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(|r| TeacherId(r.0)))
                })
            }

            fn student_by_no<'a>(
                &'a self,
                student_no: &'a str,
            ) -> StoreFuture<'a, Option<(SchoolId, StudentId)>> {
                Box::pin(async move {
                    let row: Option<(i64, i64)> = sqlx::query_as(
                        "SELECT school_id, id FROM student WHERE student_no = $1",
                    )
                    .bind(student_no)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(|r| (SchoolId(r.0), StudentId(r.1))))
                })
            }

            fn import_roster<'a>(
                &'a self,
                batch: &'a wuyu_domain::RosterBatch,
                meta: &'a ImportMeta,
            ) -> StoreFuture<'a, ImportSummary> {
                Box::pin(async move {
                    let _guard = self.write_lock.lock().await;
                    let started = std::time::Instant::now();
                    let mut tx = self.begin_write().await?;
                    Self::prepare_bulk(&mut tx).await?;

                    let mut snap = Snapshot::default();
                    for (id, code) in sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM school")
                        .fetch_all(&mut *tx)
                        .await?
                    {
                        snap.max_school_id = snap.max_school_id.max(id);
                        snap.schools.insert(code, id);
                    }
                    for (sid, id, grade, name) in sqlx::query_as::<_, (i64, i64, i32, String)>(
                        "SELECT school_id, id, grade, name FROM school_class",
                    )
                    .fetch_all(&mut *tx)
                    .await?
                    {
                        snap.max_class_id = snap.max_class_id.max(id);
                        snap.classes.insert((sid, grade, name), id);
                    }
                    for (sid, id, no) in sqlx::query_as::<_, (i64, i64, String)>(
                        "SELECT school_id, id, student_no FROM student",
                    )
                    .fetch_all(&mut *tx)
                    .await?
                    {
                        snap.max_student_id = snap.max_student_id.max(id);
                        snap.students.insert(no, (sid, id));
                    }
                    for (sid, id, no) in sqlx::query_as::<_, (i64, i64, String)>(
                        "SELECT school_id, id, staff_no FROM teacher",
                    )
                    .fetch_all(&mut *tx)
                    .await?
                    {
                        snap.max_teacher_id = snap.max_teacher_id.max(id);
                        snap.teachers.insert((sid, no), id);
                    }

                    let loaded = started.elapsed();
                    let plan = match roster::plan(batch, &snap, &meta.file_name) {
                        Ok(p) => p,
                        Err(errors) => {
                            tx.rollback().await?;
                            return Err(StoreError::Rejected(errors));
                        }
                    };

                    let planned = started.elapsed();
                    for chunk in plan.schools_insert.chunks(CHUNK) {
                        let sql = multi_row_insert(
                            "INSERT INTO school (id, code, name, stage, location, school_group)",
                            6, chunk.len(), "", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for s in chunk {
                            q = q.bind(s.id).bind(&s.code).bind(&s.name).bind(s.stage)
                                .bind(s.location).bind(&s.school_group);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for s in &plan.schools_update {
                        sqlx::query(
                            "UPDATE school SET name = $2, stage = $3, location = $4, school_group = $5 \
                             WHERE id = $1",
                        )
                        .bind(s.id).bind(&s.name).bind(s.stage).bind(s.location).bind(&s.school_group)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for chunk in plan.classes_insert.chunks(CHUNK) {
                        let sql = multi_row_insert(
                            "INSERT INTO school_class (school_id, id, grade, name)", 4, chunk.len(), "", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for c in chunk {
                            q = q.bind(c.school_id).bind(c.id).bind(c.grade).bind(&c.name);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for chunk in plan.students_insert.chunks(CHUNK) {
                        let sql = multi_row_insert(
                            concat!($insert, " INTO student (school_id, id, class_id, student_no, name, sex, \
                             birth_date, id_card_no, ethnicity)"), 9, chunk.len(), "", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for s in chunk {
                            q = q.bind(s.school_id).bind(s.id).bind(s.class_id).bind(&s.student_no)
                                .bind(&s.name).bind(s.sex).bind(s.birth_date).bind(&s.id_card_no)
                                .bind(s.ethnicity);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for s in &plan.students_update {
                        sqlx::query(
                            "UPDATE student SET class_id = $3, name = $4, sex = $5, birth_date = $6, \
                             id_card_no = $7, ethnicity = $8 WHERE school_id = $1 AND id = $2",
                        )
                        .bind(s.school_id).bind(s.id).bind(s.class_id).bind(&s.name).bind(s.sex)
                        .bind(s.birth_date).bind(&s.id_card_no).bind(s.ethnicity)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for chunk in plan.teachers_insert.chunks(CHUNK) {
                        let sql = multi_row_insert(
                            "INSERT INTO teacher (school_id, id, staff_no, name, sex)", 5, chunk.len(), "", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for t in chunk {
                            q = q.bind(t.school_id).bind(t.id).bind(&t.staff_no).bind(&t.name).bind(t.sex);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    for t in &plan.teachers_update {
                        sqlx::query("UPDATE teacher SET name = $3, sex = $4 WHERE school_id = $1 AND id = $2")
                            .bind(t.school_id).bind(t.id).bind(&t.name).bind(t.sex)
                            .execute(&mut *tx)
                            .await?;
                    }
                    // A later row for the same (teacher, class, subject) wins, as in the file.
                    for school in &plan.assignment_schools {
                        sqlx::query("DELETE FROM teacher_assignment WHERE school_id = $1")
                            .bind(*school)
                            .execute(&mut *tx)
                            .await?;
                    }
                    for chunk in plan.assignments.chunks(CHUNK) {
                        let mut dedup: Vec<&roster::AssignmentW> = Vec::with_capacity(chunk.len());
                        for a in chunk {
                            dedup.retain(|d| !(d.teacher_id == a.teacher_id && d.class_id == a.class_id
                                && d.school_id == a.school_id && d.subject == a.subject));
                            dedup.push(a);
                        }
                        let sql = multi_row_insert(
                            "INSERT INTO teacher_assignment (school_id, teacher_id, class_id, subject, share)",
                            5, dedup.len(),
                            " ON CONFLICT (school_id, teacher_id, class_id, subject) \
                              DO UPDATE SET share = excluded.share", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for a in dedup {
                            q = q.bind(a.school_id).bind(a.teacher_id).bind(a.class_id).bind(&a.subject)
                                .bind(a.share);
                        }
                        q.execute(&mut *tx).await?;
                    }

                    // Groups follow today's roster: rebuild the fitness rollup of every
                    // school whose classes or students changed, for every term on record.
                    let touched: BTreeSet<i64> = plan.schools_insert.iter().map(|s| s.id)
                        .chain(plan.classes_insert.iter().map(|c| c.school_id))
                        .chain(plan.students_insert.iter().map(|s| s.school_id))
                        .chain(plan.students_update.iter().map(|s| s.school_id))
                        .collect();
                    if !touched.is_empty() {
                        let terms: Vec<(String,)> =
                            sqlx::query_as("SELECT DISTINCT term FROM fitness_school_term")
                                .fetch_all(&mut *tx)
                                .await?;
                        let mut pairs: Vec<(i64, String)> = Vec::new();
                        for s in &touched {
                            for (t,) in &terms {
                                pairs.push((*s, t.clone()));
                            }
                        }
                        refresh_fitness_rollup!(tx, pairs);
                    }

                    let mut summary = ImportSummary {
                        import_id: 0,
                        schools_added: plan.schools_insert.len() as u64,
                        schools_updated: plan.schools_update.len() as u64,
                        classes_added: plan.classes_insert.len() as u64,
                        students_added: plan.students_insert.len() as u64,
                        students_updated: plan.students_update.len() as u64,
                        teachers_added: plan.teachers_insert.len() as u64,
                        teachers_updated: plan.teachers_update.len() as u64,
                        assignments_written: plan.assignments.len() as u64,
                    };
                    let summary_json = serde_json::to_string(&summary)
                        .map_err(|e| corrupt("import summary", e))?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
                         VALUES ($1, $2, 'roster', $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(meta.at)
                    .bind(&meta.username)
                    .bind(&meta.file_name)
                    .bind(&meta.file_sha256)
                    .bind(batch.record_count() as i64)
                    .bind(summary_json)
                    .fetch_one(&mut *tx)
                    .await?;
                    let written = started.elapsed();
                    tx.commit().await?;
                    tracing::info!(
                        records = batch.record_count(),
                        snapshot_ms = loaded.as_millis() as u64,
                        plan_ms = (planned - loaded).as_millis() as u64,
                        write_ms = (written - planned).as_millis() as u64,
                        commit_ms = (started.elapsed() - written).as_millis() as u64,
                        "roster import committed"
                    );
                    summary.import_id = id;
                    Ok(summary)
                })
            }

            fn import_fitness<'a>(
                &'a self,
                batch: &'a wuyu_domain::FitnessBatch,
                meta: &'a ImportMeta,
            ) -> StoreFuture<'a, FitnessImportSummary> {
                Box::pin(async move {
                    let _guard = self.write_lock.lock().await;
                    let started = std::time::Instant::now();
                    let mut tx = self.begin_write().await?;
                    Self::prepare_bulk(&mut tx).await?;

                    // Two plain scans joined in memory: a SQL join here lets SQLite pick
                    // the classes as the outer loop and rescan each school's students.
                    let grades: std::collections::HashMap<(i64, i64), i32> =
                        sqlx::query_as::<_, (i64, i64, i32)>(
                            "SELECT school_id, id, grade FROM school_class",
                        )
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .map(|(s, c, g)| ((s, c), g))
                        .collect();
                    // One packed text per school: the driver's per-row cost, not SQLite's,
                    // dominated reading a million students row by row (measured 7 s).
                    let packed: Vec<(i64, String)> = sqlx::query_as(fitness::PACKED_STUDENTS)
                        .fetch_all(&mut *tx)
                        .await?;
                    let mut students = std::collections::HashMap::new();
                    for (school_id, text) in &packed {
                        for s in fitness::unpack_students(*school_id, text, &grades)? {
                            students.insert(s.0, s.1);
                        }
                    }
                    let loaded = started.elapsed();
                    let plan = match fitness::plan::plan(batch, &students, &meta.file_name) {
                        Ok(p) => p,
                        Err(errors) => {
                            tx.rollback().await?;
                            return Err(StoreError::Rejected(errors));
                        }
                    };
                    drop(students);
                    let planned = started.elapsed();

                    let mut pairs: BTreeSet<(i64, wuyu_domain::Term)> = BTreeSet::new();
                    let mut terms: BTreeSet<wuyu_domain::Term> = BTreeSet::new();
                    let mut schools: BTreeSet<i64> = BTreeSet::new();
                    let mut complete = 0u64;
                    for w in &plan {
                        terms.insert(w.term);
                        schools.insert(w.school_id);
                        pairs.insert((w.school_id, w.term));
                        if w.status == "OK" {
                            complete += 1;
                        }
                    }
                    let mut summary = FitnessImportSummary {
                        import_id: 0,
                        records_written: plan.len() as u64,
                        complete,
                        incomplete: plan.len() as u64 - complete,
                        schools: schools.len() as u64,
                        terms: terms.iter().map(|t| t.code()).collect(),
                    };
                    let summary_json = serde_json::to_string(&summary)
                        .map_err(|e| corrupt("import summary", e))?;
                    let (import_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO import_record (at, username, kind, file_name, file_sha256, records, summary) \
                         VALUES ($1, $2, 'fitness', $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(meta.at)
                    .bind(&meta.username)
                    .bind(&meta.file_name)
                    .bind(&meta.file_sha256)
                    .bind(plan.len() as i64)
                    .bind(summary_json)
                    .fetch_one(&mut *tx)
                    .await?;

                    let tail = fitness::upsert_tail();
                    let head = format!("INSERT INTO fitness_record ({})", fitness::RECORD_COLS);
                    for chunk in plan.chunks(FITNESS_CHUNK) {
                        let sql = multi_row_insert(&head, fitness::RECORD_COL_COUNT, chunk.len(), &tail, $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for w in chunk {
                            q = q.bind(w.school_id).bind(w.student_id).bind(w.term.code())
                                .bind(w.test_date).bind(w.grade).bind(w.sex).bind(w.age_years)
                                .bind(w.m.height_cm).bind(w.m.weight_kg);
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
                            q = q.bind(w.bonus_total).bind(w.standard_score).bind(w.year_total)
                                .bind(w.level).bind(w.status).bind(&w.missing)
                                .bind(w.weight_status).bind(w.malnutrition)
                                .bind(w.m.acuity_left).bind(w.m.acuity_right)
                                .bind(w.m.se_left).bind(w.m.se_right)
                                .bind(w.vision_status).bind(import_id);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    let pairs: Vec<(i64, String)> = pairs.into_iter().map(|(s, t)| (s, t.code())).collect();
                    for chunk in pairs.chunks(CHUNK) {
                        let sql = multi_row_insert(
                            "INSERT INTO fitness_school_term (school_id, term)", 2, chunk.len(),
                            " ON CONFLICT (school_id, term) DO NOTHING", $numbered);
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for (s, t) in chunk {
                            q = q.bind(*s).bind(t);
                        }
                        q.execute(&mut *tx).await?;
                    }
                    // The rollup of every school and term this batch touched; a term new to
                    // the district also gets every other school's (0 tested) rows.
                    let known: Vec<(String,)> = sqlx::query_as(
                        "SELECT DISTINCT term FROM fitness_rollup",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut refresh: BTreeSet<(i64, String)> = pairs.iter().cloned().collect();
                    let new_terms: Vec<String> = terms
                        .iter()
                        .map(|t| t.code())
                        .filter(|t| !known.iter().any(|(k,)| k == t))
                        .collect();
                    if !new_terms.is_empty() {
                        let all: Vec<(i64,)> = sqlx::query_as("SELECT id FROM school")
                            .fetch_all(&mut *tx)
                            .await?;
                        for (school,) in all {
                            for t in &new_terms {
                                refresh.insert((school, t.clone()));
                            }
                        }
                    }
                    refresh_fitness_rollup!(tx, refresh);
                    let written = started.elapsed();
                    tx.commit().await?;
                    tracing::info!(
                        records = plan.len(),
                        snapshot_ms = loaded.as_millis() as u64,
                        plan_ms = (planned - loaded).as_millis() as u64,
                        write_ms = (written - planned).as_millis() as u64,
                        commit_ms = (started.elapsed() - written).as_millis() as u64,
                        "fitness import committed"
                    );
                    summary.import_id = import_id;
                    Ok(summary)
                })
            }

            fn fitness_terms<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<wuyu_domain::Term>> {
                Box::pin(async move {
                    fitness::check_not_counsellor(scope)?;
                    let rows: Vec<(String,)> = match scope.school_id() {
                        None => sqlx::query_as("SELECT DISTINCT term FROM fitness_school_term")
                            .fetch_all(&self.pool)
                            .await?,
                        Some(s) => sqlx::query_as(
                            "SELECT DISTINCT term FROM fitness_school_term WHERE school_id = $1",
                        )
                        .bind(s.0)
                        .fetch_all(&self.pool)
                        .await?,
                    };
                    let mut terms = rows
                        .into_iter()
                        .map(|r| wuyu_domain::Term::parse_code(&r.0)
                            .map_err(|e| corrupt("fitness_school_term.term", e)))
                        .collect::<Result<Vec<_>, _>>()?;
                    terms.sort();
                    Ok(terms)
                })
            }

            fn fitness_summary<'a>(
                &'a self,
                scope: &'a Scope,
                school: Option<SchoolId>,
                term: wuyu_domain::Term,
                by: FitnessGroupBy,
            ) -> StoreFuture<'a, Vec<FitnessSummaryRow>> {
                Box::pin(async move {
                    let rows = fitness_grouped_rows!(self, scope, school, term, by, fitness::summary_aggs());
                    rows.iter().map(|r| fitness::summary_from_row(r, by)).collect()
                })
            }

            fn fitness_item_summary<'a>(
                &'a self,
                scope: &'a Scope,
                school: Option<SchoolId>,
                term: wuyu_domain::Term,
                by: FitnessGroupBy,
            ) -> StoreFuture<'a, Vec<FitnessItemRow>> {
                Box::pin(async move {
                    let rows = fitness_grouped_rows!(self, scope, school, term, by, fitness::item_aggs());
                    rows.iter().map(|r| fitness::item_row_from_row(r, by)).collect()
                })
            }

            fn student_fitness<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                student: StudentId,
            ) -> StoreFuture<'a, Vec<FitnessRecord>> {
                Box::pin(async move {
                    fitness::check_not_counsellor(scope)?;
                    // Scope and existence exactly as the student's own record.
                    self.student(scope, school, student).await?;
                    let rows = sqlx::query(AssertSqlSafe(format!(
                        "SELECT {} FROM fitness_record WHERE school_id = $1 AND student_id = $2",
                        fitness::RECORD_COLS
                    )))
                    .bind(school.0)
                    .bind(student.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = rows
                        .iter()
                        .map(|r| fitness::record_from_row(r, 0))
                        .collect::<Result<Vec<_>, _>>()?;
                    out.sort_by_key(|r| r.term);
                    Ok(out)
                })
            }

            fn class_fitness<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                class: ClassId,
                term: wuyu_domain::Term,
            ) -> StoreFuture<'a, Vec<ClassFitnessRow>> {
                Box::pin(async move {
                    fitness::check_not_counsellor(scope)?;
                    self.class(scope, school, class).await?;
                    let students = self.list_students(scope, school, Some(class)).await?;
                    let rows = sqlx::query(AssertSqlSafe(format!(
                        "SELECT {} FROM fitness_record f JOIN student s \
                           ON s.school_id = f.school_id AND s.id = f.student_id \
                         WHERE f.school_id = $1 AND s.class_id = $2 AND f.term = $3",
                        fitness::record_cols("f.")
                    )))
                    .bind(school.0)
                    .bind(class.0)
                    .bind(term.code())
                    .fetch_all(&self.pool)
                    .await?;
                    let mut records = std::collections::HashMap::with_capacity(rows.len());
                    for r in &rows {
                        let rec = fitness::record_from_row(r, 0)?;
                        records.insert(rec.student_id, rec);
                    }
                    let mut out: Vec<ClassFitnessRow> = students
                        .into_iter()
                        .map(|s| {
                            let record = records.remove(&s.id);
                            ClassFitnessRow { student: s, record }
                        })
                        .collect();
                    out.sort_by(|a, b| a.student.student_no.as_str().cmp(b.student.student_no.as_str()));
                    Ok(out)
                })
            }

            fn list_imports(&self, limit: i64) -> StoreFuture<'_, Vec<ImportRecord>> {
                Box::pin(async move {
                    let rows: Vec<(i64, i64, String, String, String, String, i64)> = sqlx::query_as(
                        "SELECT id, at, username, kind, file_name, file_sha256, records \
                         FROM import_record ORDER BY id DESC LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|r| ImportRecord {
                            id: r.0,
                            at: r.1,
                            username: r.2,
                            kind: r.3,
                            file_name: r.4,
                            file_sha256: r.5,
                            records: r.6,
                        })
                        .collect())
                })
            }

            // --- exams (issue 4): implemented in exam_sql.rs -----------------------------------

            fn create_exam<'a>(&'a self, e: &'a NewExam) -> StoreFuture<'a, ExamId> {
                Box::pin(self.exam_create(e))
            }
            fn list_exams<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, Vec<ExamSummary>> {
                Box::pin(self.exam_list(scope))
            }
            fn exam<'a>(&'a self, scope: &'a Scope, exam: ExamId) -> StoreFuture<'a, Exam> {
                Box::pin(self.exam_get(scope, exam))
            }
            fn import_exam_scores<'a>(
                &'a self,
                batch: &'a ExamScoreBatch,
                meta: &'a ImportMeta,
            ) -> StoreFuture<'a, ExamImportSummary> {
                Box::pin(self.exam_import_scores(batch, meta))
            }
            fn import_exam_items<'a>(
                &'a self,
                batch: &'a ExamItemBatch,
                meta: &'a ImportMeta,
            ) -> StoreFuture<'a, ExamImportSummary> {
                Box::pin(self.exam_import_items(batch, meta))
            }
            fn recompute_exam(&self, exam: ExamId) -> StoreFuture<'_, ()> {
                Box::pin(self.exam_recompute(exam))
            }
            fn exam_settings(&self) -> StoreFuture<'_, ExamSettings> {
                Box::pin(self.exam_read_settings())
            }
            fn exam_unit_stats<'a>(
                &'a self,
                scope: &'a Scope,
                exam: ExamId,
                filter: ExamUnitFilter,
            ) -> StoreFuture<'a, Vec<ExamUnitStat>> {
                Box::pin(self.exam_read_units(scope, exam, filter))
            }
            fn exam_value_added<'a>(
                &'a self,
                scope: &'a Scope,
                exam: ExamId,
                subject: &'a str,
                level: ExamUnitKind,
                school: Option<SchoolId>,
            ) -> StoreFuture<'a, ValueAddedReport> {
                Box::pin(self.exam_read_value_added(scope, exam, subject, level, school))
            }
            fn exam_items<'a>(
                &'a self,
                scope: &'a Scope,
                exam: ExamId,
                subject: &'a str,
                school: Option<SchoolId>,
            ) -> StoreFuture<'a, ItemReport> {
                Box::pin(self.exam_read_items(scope, exam, subject, school))
            }
            fn exam_students<'a>(
                &'a self,
                scope: &'a Scope,
                exam: ExamId,
                school: SchoolId,
                class: Option<ClassId>,
            ) -> StoreFuture<'a, Vec<ExamStudentRow>> {
                Box::pin(self.exam_read_students(scope, exam, school, class))
            }
            fn student_exams<'a>(
                &'a self,
                scope: &'a Scope,
                school: SchoolId,
                student: StudentId,
            ) -> StoreFuture<'a, Vec<StudentExamRow>> {
                Box::pin(self.exam_read_student_history(scope, school, student))
            }
            fn parallel_alerts<'a>(
                &'a self,
                scope: &'a Scope,
                school: Option<SchoolId>,
                evaluation_year: i32,
            ) -> StoreFuture<'a, Vec<TeacherAlert>> {
                Box::pin(self.exam_read_parallel_alerts(scope, school, evaluation_year))
            }

            fn create_user<'a>(&'a self, u: &'a NewUser) -> StoreFuture<'a, UserId> {
                Box::pin(async move {
                    let _guard = self.write_lock.lock().await;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO app_user (id, username, display_name, role, password_hash, \
                           school_id, teacher_id, student_id, active, created_at) \
                         SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9 \
                         FROM app_user RETURNING id",
                    )
                    .bind(&u.username)
                    .bind(&u.display_name)
                    .bind(u.role.code())
                    .bind(&u.password_hash)
                    .bind(u.school_id.map(|s| s.0))
                    .bind(u.teacher_id.map(|t| t.0))
                    .bind(u.student_id.map(|s| s.0))
                    .bind(true)
                    .bind(now_unix())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| map_unique(e, "用户名已存在"))?;
                    Ok(UserId(id))
                })
            }

            fn set_password<'a>(&'a self, user: UserId, hash: &'a str) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    let r = sqlx::query("UPDATE app_user SET password_hash = $2 WHERE id = $1")
                        .bind(user.0)
                        .bind(hash)
                        .execute(&self.pool)
                        .await?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    // A new password ends every session of that user.
                    sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                        .bind(user.0)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
            }

            fn set_user_active(&self, user: UserId, active: bool) -> StoreFuture<'_, ()> {
                Box::pin(async move {
                    let r = sqlx::query("UPDATE app_user SET active = $2 WHERE id = $1")
                        .bind(user.0)
                        .bind(active)
                        .execute(&self.pool)
                        .await?;
                    if r.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    if !active {
                        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                            .bind(user.0)
                            .execute(&self.pool)
                            .await?;
                    }
                    Ok(())
                })
            }

            fn user_credentials<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserCredentials>> {
                Box::pin(async move {
                    let row: Option<(i64, String, String, String, Option<i64>, Option<i64>, Option<i64>, String, bool)> =
                        sqlx::query_as(AssertSqlSafe(format!(
                            "SELECT {USER_COLS}, u.password_hash, u.active FROM app_user u WHERE u.username = $1"
                        )))
                        .bind(username)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|r| {
                        Ok(UserCredentials {
                            user: user_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?,
                            password_hash: r.7,
                            active: r.8,
                        })
                    })
                    .transpose()
                })
            }

            fn user(&self, id: UserId) -> StoreFuture<'_, User> {
                Box::pin(async move {
                    let row: Option<UserTuple> = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {USER_COLS} FROM app_user u WHERE u.id = $1"
                    )))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    user_from(row.ok_or(StoreError::NotFound)?)
                })
            }

            fn list_users(&self) -> StoreFuture<'_, Vec<UserRow>> {
                Box::pin(async move {
                    let rows: Vec<(i64, String, String, String, Option<i64>, Option<i64>, Option<i64>, bool, Option<String>)> =
                        sqlx::query_as(AssertSqlSafe(format!(
                            "SELECT {USER_COLS}, u.active, s.name FROM app_user u \
                             LEFT JOIN school s ON s.id = u.school_id ORDER BY u.username"
                        )))
                        .fetch_all(&self.pool)
                        .await?;
                    rows.into_iter()
                        .map(|r| {
                            Ok(UserRow {
                                user: user_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?,
                                active: r.7,
                                school_name: r.8,
                            })
                        })
                        .collect()
                })
            }

            fn scope_for<'a>(&'a self, user: &'a User) -> StoreFuture<'a, Scope> {
                Box::pin(async move {
                    let school = || {
                        user.school_id
                            .ok_or_else(|| corrupt("app_user.school_id", "missing for a school role"))
                    };
                    Ok(match user.role {
                        Role::DistrictAdmin | Role::DistrictAnalyst => Scope::District,
                        Role::SchoolAdmin => Scope::School { school_id: school()? },
                        Role::Counsellor => Scope::Counsellor { school_id: school()? },
                        Role::Parent => Scope::Parent {
                            school_id: school()?,
                            student_ids: user.student_id.into_iter().collect(),
                        },
                        Role::Teacher => {
                            let school_id = school()?;
                            let class_ids: BTreeSet<ClassId> = match user.teacher_id {
                                None => BTreeSet::new(),
                                Some(t) => sqlx::query_as::<_, (i64,)>(
                                    "SELECT DISTINCT class_id FROM teacher_assignment \
                                     WHERE school_id = $1 AND teacher_id = $2",
                                )
                                .bind(school_id.0)
                                .bind(t.0)
                                .fetch_all(&self.pool)
                                .await?
                                .into_iter()
                                .map(|r| ClassId(r.0))
                                .collect(),
                            };
                            Scope::Classes { school_id, class_ids }
                        }
                    })
                })
            }

            fn create_session<'a>(&'a self, s: &'a NewSession) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.user_id.0)
                    .bind(&s.csrf_token)
                    .bind(s.created_at)
                    .bind(s.expires_at)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
            }

            fn session<'a>(&'a self, token_hash: &'a str, now: i64) -> StoreFuture<'a, Option<SessionRow>> {
                Box::pin(async move {
                    let row: Option<(i64, String, String, String, Option<i64>, Option<i64>, Option<i64>, String, i64)> =
                        sqlx::query_as(AssertSqlSafe(format!(
                            "SELECT {USER_COLS}, s.csrf_token, s.expires_at FROM user_session s \
                             JOIN app_user u ON u.id = s.user_id \
                             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = $3"
                        )))
                        .bind(token_hash)
                        .bind(now)
                        .bind(true)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(|r| {
                        Ok(SessionRow {
                            user: user_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?,
                            csrf_token: r.7,
                            expires_at: r.8,
                        })
                    })
                    .transpose()
                })
            }

            fn delete_session<'a>(&'a self, token_hash: &'a str) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
            }

            fn delete_expired_sessions(&self, now: i64) -> StoreFuture<'_, u64> {
                Box::pin(async move {
                    let r = sqlx::query("DELETE FROM user_session WHERE expires_at <= $1")
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    Ok(r.rows_affected())
                })
            }

            fn append_audit<'a>(&'a self, e: &'a AuditEntry) -> StoreFuture<'a, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO audit_log (at, user_id, username, action, school_id, entity, detail, ip) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(e.at)
                    .bind(e.user_id.map(|u| u.0))
                    .bind(&e.username)
                    .bind(&e.action)
                    .bind(e.school_id.map(|s| s.0))
                    .bind(&e.entity)
                    .bind(&e.detail)
                    .bind(&e.ip)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
            }

            fn list_audit(&self, limit: i64) -> StoreFuture<'_, Vec<AuditRow>> {
                Box::pin(async move {
                    let rows: Vec<(i64, i64, Option<i64>, String, String, Option<i64>, String, String, String)> =
                        sqlx::query_as(
                            "SELECT id, at, user_id, username, action, school_id, entity, detail, ip \
                             FROM audit_log ORDER BY id DESC LIMIT $1",
                        )
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows
                        .into_iter()
                        .map(|r| AuditRow {
                            id: r.0,
                            entry: AuditEntry {
                                at: r.1,
                                user_id: r.2.map(UserId),
                                username: r.3,
                                action: r.4,
                                school_id: r.5.map(SchoolId),
                                entity: r.6,
                                detail: r.7,
                                ip: r.8,
                            },
                        })
                        .collect())
                })
            }
        }
    };
}

// SQLite: OR ROLLBACK ends the whole transaction on a constraint failure (an import is all or
// nothing anyway), so the student INSERTs need no statement journal either.
store_impl!(SqliteStore, "sqlite", numbered_params: false, insert: "INSERT OR ROLLBACK");
store_impl!(PgStore, "postgres", numbered_params: true, insert: "INSERT");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_insert_numbers_every_placeholder() {
        assert_eq!(
            multi_row_insert(
                "INSERT INTO t (a, b)",
                2,
                2,
                " ON CONFLICT DO NOTHING",
                true
            ),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            multi_row_insert("INSERT INTO t (a)", 1, 3, "", false),
            "INSERT INTO t (a) VALUES (?),(?),(?)"
        );
    }
}
