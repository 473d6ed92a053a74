//! RosterStore for both backends (included by `sqlite.rs` and `postgres.rs`).
use std::collections::BTreeSet;

use sqlx::AssertSqlSafe;
use wuyu_domain::{
    ClassId, ClassType, Location, School, SchoolClass, SchoolId, Scope, Stage, Student, StudentId,
    TeacherId,
};

use super::{Db, NUMBERED_PARAMS, This};
use crate::backend::*;
use crate::model::*;
use crate::prelude::*;
use crate::roster::plan::{self as roster, Snapshot};
use crate::roster::sql::*;
use crate::staff::{TitleKind, TitleLevel};
use crate::{StoreError, StoreFuture};

impl RosterStore for This {
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
            let mut q = sqlx::query_as::<
                _,
                (
                    i64,
                    String,
                    String,
                    String,
                    String,
                    Option<String>,
                    i64,
                    i64,
                ),
            >(AssertSqlSafe(sql));
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
            let rows: Vec<(i64, i64, i32, String, String, i64)> = sqlx::query_as(
                "SELECT c.school_id, c.id, c.grade, c.name, c.class_type, COALESCE(st.n, 0) \
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
                let class = class_from((r.0, r.1, r.2, r.3, r.4))?;
                if scope.can_view_class(school, class.id) {
                    out.push(ClassSummary {
                        class,
                        student_count: r.5,
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
            let row: Option<ClassTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CLASS_COLS} FROM school_class WHERE school_id = $1 AND id = $2"
            )))
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
            let row: Option<ClassTuple> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CLASS_COLS} FROM school_class WHERE school_id = $1 AND id = $2"
            )))
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

    fn list_teachers<'a>(
        &'a self,
        scope: &'a Scope,
        school: SchoolId,
    ) -> StoreFuture<'a, Vec<TeacherView>> {
        Box::pin(async move {
            // A teacher's scope is their classes, not the staff list of the school.
            if !matches!(scope, Scope::District | Scope::School { .. })
                || !scope.can_list_school_roster(school)
            {
                return Err(StoreError::Forbidden);
            }
            type Row = (
                i64,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<i32>,
            );
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT id, staff_no, name, sex, subject, employment, birth_year FROM teacher \
                 WHERE school_id = $1 ORDER BY staff_no",
            )
            .bind(school.0)
            .fetch_all(&self.pool)
            .await?;
            let titles: Vec<(i64, String, String, i32)> = sqlx::query_as(
                "SELECT teacher_id, title, level, year FROM teacher_title WHERE school_id = $1 \
                 ORDER BY teacher_id, year, title, level",
            )
            .bind(school.0)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(
                    |(id, staff_no, name, sex, subject, employment, birth_year)| {
                        Ok(TeacherView {
                            teacher_id: TeacherId(id),
                            staff_no,
                            name,
                            sex: sex
                                .as_deref()
                                .map(wuyu_domain::Sex::parse)
                                .transpose()
                                .map_err(|e| corrupt("teacher.sex", e))?,
                            subject,
                            employment: employment
                                .as_deref()
                                .map(wuyu_domain::Employment::parse)
                                .transpose()
                                .map_err(|e| corrupt("teacher.employment", e))?,
                            birth_year,
                            titles: titles
                                .iter()
                                .filter(|t| t.0 == id)
                                .map(|(_, title, level, year)| {
                                    let level =
                                        TitleLevel::parse(level).map_or("", |l| l.label_zh());
                                    let title =
                                        TitleKind::parse(title).map_or("", |k| k.label_zh());
                                    format!("{level}{title}（{year}）")
                                })
                                .collect(),
                        })
                    },
                )
                .collect()
        })
    }

    fn student_flags(
        &self,
        school: SchoolId,
        student: StudentId,
    ) -> StoreFuture<'_, Vec<wuyu_domain::StudentFlag>> {
        Box::pin(async move {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT flag FROM student_flag WHERE school_id = $1 AND student_id = $2 \
                 ORDER BY flag",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_all(&self.pool)
            .await?;
            let mut flags = rows
                .into_iter()
                .map(|(f,)| {
                    wuyu_domain::StudentFlag::parse(&f).map_err(|e| corrupt("student_flag", e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            flags.sort();
            Ok(flags)
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
            let row: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM teacher WHERE school_id = $1 AND staff_no = $2")
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
            let row: Option<(i64, i64)> =
                sqlx::query_as("SELECT school_id, id FROM student WHERE student_no = $1")
                    .bind(student_no)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(row.map(|r| (SchoolId(r.0), StudentId(r.1))))
        })
    }

    fn student_names<'a>(
        &'a self,
        student_nos: &'a [String],
    ) -> StoreFuture<'a, Vec<(String, String)>> {
        Box::pin(async move {
            // Chunks keep each statement well under either backend's parameter limit.
            let mut out = Vec::with_capacity(student_nos.len());
            for chunk in student_nos.chunks(500) {
                let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT student_no, name FROM student WHERE student_no IN ({})",
                    params.join(", ")
                );
                let mut q = sqlx::query_as::<_, (String, String)>(AssertSqlSafe(sql));
                for no in chunk {
                    q = q.bind(no);
                }
                out.extend(q.fetch_all(&self.pool).await?);
            }
            Ok(out)
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

            let snap = Self::roster_snapshot(&mut tx).await?;

            let loaded = started.elapsed();
            let plan = match roster::plan(batch, &snap, &meta.file_name) {
                Ok(p) => p,
                Err(errors) => {
                    tx.rollback().await?;
                    return Err(StoreError::Rejected(errors));
                }
            };

            let planned = started.elapsed();
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
            let summary_json =
                serde_json::to_string(&summary).map_err(|e| corrupt("import summary", e))?;
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

            // Every school the import writes is journaled first, so the import can be undone.
            let touched: BTreeSet<i64> = plan
                .schools_insert
                .iter()
                .chain(&plan.schools_update)
                .map(|s| s.id)
                .chain(plan.classes_insert.iter().map(|c| c.school_id))
                .chain(plan.classes_update.iter().map(|c| c.school_id))
                .chain(plan.students_insert.iter().map(|s| s.school_id))
                .chain(plan.students_update.iter().map(|s| s.school_id))
                .chain(plan.teachers_insert.iter().map(|t| t.school_id))
                .chain(plan.teachers_update.iter().map(|t| t.school_id))
                .chain(plan.assignment_schools.iter().copied())
                .collect();
            Self::journal_roster(&mut tx, id, &touched).await?;
            Self::roster_write(&mut tx, &plan).await?;

            // Groups follow today's roster: rebuild the fitness rollup of every
            // school whose classes or students changed, for every term on record.
            let regrouped: BTreeSet<i64> = plan
                .schools_insert
                .iter()
                .map(|s| s.id)
                .chain(plan.classes_insert.iter().map(|c| c.school_id))
                .chain(plan.students_insert.iter().map(|s| s.school_id))
                .chain(plan.students_update.iter().map(|s| s.school_id))
                .collect();
            if !regrouped.is_empty() {
                let terms: Vec<(String,)> =
                    sqlx::query_as("SELECT DISTINCT term FROM fitness_school_term")
                        .fetch_all(&mut *tx)
                        .await?;
                let mut pairs: Vec<(i64, String)> = Vec::new();
                for s in &regrouped {
                    for (t,) in &terms {
                        pairs.push((*s, t.clone()));
                    }
                }
                Self::refresh_fitness_rollup(&mut tx, pairs).await?;
                // The archive coverage rollup counts today's enrolled students by class too.
                for s in &regrouped {
                    super::archive::rollup::refresh_school(&mut tx, SchoolId(*s)).await?;
                }
            }
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

    fn check_roster<'a>(
        &'a self,
        batch: &'a wuyu_domain::RosterBatch,
        broken: &'a wuyu_domain::BrokenKeys,
        file_name: &'a str,
    ) -> StoreFuture<'a, Vec<wuyu_domain::RowError>> {
        Box::pin(async move {
            if broken.unknown {
                return Ok(Vec::new());
            }
            // A read-only transaction: one consistent snapshot, nothing written.
            let mut tx = self.pool.begin().await?;
            let mut snap = Self::roster_snapshot(&mut tx).await?;
            tx.rollback().await?;
            snap.assume(broken);
            Ok(roster::plan(batch, &snap, file_name)
                .err()
                .unwrap_or_default())
        })
    }

    fn roster_facts(
        &self,
    ) -> StoreFuture<'_, Vec<(SchoolId, wuyu_monitor::roster::SchoolRosterFacts)>> {
        Box::pin(async move {
            use std::collections::BTreeMap;
            use wuyu_monitor::roster::SchoolRosterFacts;
            // Three aggregate reads: nothing per student leaves the database but the few
            // 辍学 dates.
            let mut out: BTreeMap<i64, SchoolRosterFacts> = BTreeMap::new();
            let schools: Vec<(i64,)> = sqlx::query_as("SELECT id FROM school")
                .fetch_all(&self.pool)
                .await?;
            for (id,) in schools {
                out.entry(id).or_default();
            }
            let enrolled: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT school_id, COUNT(*) FROM student WHERE status = 'enrolled' \
                 GROUP BY school_id",
            )
            .fetch_all(&self.pool)
            .await?;
            for (school, n) in enrolled {
                out.entry(school).or_default().enrolled = u64::try_from(n).unwrap_or(0);
            }
            let dropouts: Vec<(i64, Option<time::Date>)> = sqlx::query_as(
                "SELECT school_id, status_date FROM student WHERE status = 'dropped_out'",
            )
            .fetch_all(&self.pool)
            .await?;
            for (school, date) in dropouts {
                let iso = date
                    .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
                out.entry(school).or_default().dropouts.push(iso);
            }
            let teachers: Vec<(i64, Option<String>, Option<String>)> =
                sqlx::query_as("SELECT school_id, subject, employment FROM teacher")
                    .fetch_all(&self.pool)
                    .await?;
            for (school, subject, employment) in teachers {
                let full_time = employment
                    .as_deref()
                    .map(wuyu_domain::Employment::parse)
                    .transpose()
                    .map_err(|e| corrupt("teacher.employment", e))?
                    .map(|e| e == wuyu_domain::Employment::FullTime);
                out.entry(school)
                    .or_default()
                    .teachers
                    .push((subject, full_time));
            }
            Ok(out.into_iter().map(|(id, f)| (SchoolId(id), f)).collect())
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
}

impl This {
    /// Load: what the database holds, keyed by natural keys, for [`roster::plan`].
    async fn roster_snapshot(
        tx: &mut sqlx::Transaction<'static, Db>,
    ) -> Result<Snapshot, StoreError> {
        let mut snap = Snapshot::default();
        for (id, code) in sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM school")
            .fetch_all(&mut **tx)
            .await?
        {
            snap.max_school_id = snap.max_school_id.max(id);
            snap.schools.insert(code, id);
        }
        for (sid, id, grade, name) in sqlx::query_as::<_, (i64, i64, i32, String)>(
            "SELECT school_id, id, grade, name FROM school_class",
        )
        .fetch_all(&mut **tx)
        .await?
        {
            snap.max_class_id = snap.max_class_id.max(id);
            snap.classes.insert((sid, grade, name), id);
        }
        for (sid, id, no) in
            sqlx::query_as::<_, (i64, i64, String)>("SELECT school_id, id, student_no FROM student")
                .fetch_all(&mut **tx)
                .await?
        {
            snap.max_student_id = snap.max_student_id.max(id);
            snap.students.insert(no, (sid, id));
        }
        for (sid, id, no) in
            sqlx::query_as::<_, (i64, i64, String)>("SELECT school_id, id, staff_no FROM teacher")
                .fetch_all(&mut **tx)
                .await?
        {
            snap.max_teacher_id = snap.max_teacher_id.max(id);
            snap.teachers.insert((sid, no), id);
        }
        Ok(snap)
    }

    /// Write: the planned inserts and updates, in multi-row statements.
    async fn roster_write(
        tx: &mut sqlx::Transaction<'static, Db>,
        plan: &roster::Plan,
    ) -> Result<(), StoreError> {
        for chunk in plan.schools_insert.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO school (id, code, name, stage, location, school_group)",
                6,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for s in chunk {
                q = q
                    .bind(s.id)
                    .bind(&s.code)
                    .bind(&s.name)
                    .bind(s.stage)
                    .bind(s.location)
                    .bind(&s.school_group);
            }
            q.execute(&mut **tx).await?;
        }
        for s in &plan.schools_update {
            sqlx::query(
                "UPDATE school SET name = $2, stage = $3, location = $4, school_group = $5 \
             WHERE id = $1",
            )
            .bind(s.id)
            .bind(&s.name)
            .bind(s.stage)
            .bind(s.location)
            .bind(&s.school_group)
            .execute(&mut **tx)
            .await?;
        }
        for chunk in plan.classes_insert.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO school_class (school_id, id, grade, name, class_type)",
                5,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in chunk {
                q = q
                    .bind(c.school_id)
                    .bind(c.id)
                    .bind(c.grade)
                    .bind(&c.name)
                    .bind(c.class_type.unwrap_or(ClassType::default().code()));
            }
            q.execute(&mut **tx).await?;
        }
        for c in &plan.classes_update {
            sqlx::query("UPDATE school_class SET class_type = $3 WHERE school_id = $1 AND id = $2")
                .bind(c.school_id)
                .bind(c.id)
                .bind(c.class_type)
                .execute(&mut **tx)
                .await?;
        }
        Self::roster_insert_students(tx, &plan.students_insert).await?;
        for s in &plan.students_update {
            sqlx::query(
                "UPDATE student SET class_id = $3, name = $4, sex = $5, birth_date = $6, \
             id_card_no = $7, ethnicity = $8, former_names = COALESCE($9, former_names), \
             status = COALESCE($10, status), \
             status_date = CASE WHEN $10 IS NULL THEN status_date ELSE $11 END \
             WHERE school_id = $1 AND id = $2",
            )
            .bind(s.school_id)
            .bind(s.id)
            .bind(s.class_id)
            .bind(&s.name)
            .bind(s.sex)
            .bind(s.birth_date)
            .bind(&s.id_card_no)
            .bind(s.ethnicity)
            .bind(&s.former_names)
            .bind(s.status.map(|x| x.0))
            .bind(s.status.and_then(|x| x.1))
            .execute(&mut **tx)
            .await?;
        }
        // 特殊群体: a file with the column states each of its students' flags in full.
        for s in plan.students_insert.iter().chain(&plan.students_update) {
            let Some(flags) = &s.flags else { continue };
            sqlx::query("DELETE FROM student_flag WHERE school_id = $1 AND student_id = $2")
                .bind(s.school_id)
                .bind(s.id)
                .execute(&mut **tx)
                .await?;
            for f in flags {
                sqlx::query(
                    "INSERT INTO student_flag (school_id, student_id, flag) VALUES ($1, $2, $3)",
                )
                .bind(s.school_id)
                .bind(s.id)
                .bind(*f)
                .execute(&mut **tx)
                .await?;
            }
        }
        for chunk in plan.teachers_insert.chunks(CHUNK) {
            let sql = multi_row_insert(
                "INSERT INTO teacher (school_id, id, staff_no, name, sex, subject, employment, \
                 birth_year)",
                8,
                chunk.len(),
                "",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for t in chunk {
                q = q
                    .bind(t.school_id)
                    .bind(t.id)
                    .bind(&t.staff_no)
                    .bind(&t.name)
                    .bind(t.sex)
                    .bind(&t.subject)
                    .bind(t.employment)
                    .bind(t.birth_year);
            }
            q.execute(&mut **tx).await?;
        }
        for t in &plan.teachers_update {
            sqlx::query(
                "UPDATE teacher SET name = $3, sex = $4, subject = COALESCE($5, subject), \
                 employment = COALESCE($6, employment), birth_year = COALESCE($7, birth_year) \
                 WHERE school_id = $1 AND id = $2",
            )
            .bind(t.school_id)
            .bind(t.id)
            .bind(&t.name)
            .bind(t.sex)
            .bind(&t.subject)
            .bind(t.employment)
            .bind(t.birth_year)
            .execute(&mut **tx)
            .await?;
        }
        // A later row for the same (teacher, class, subject) wins, as in the file.
        for school in &plan.assignment_schools {
            sqlx::query("DELETE FROM teacher_assignment WHERE school_id = $1")
                .bind(*school)
                .execute(&mut **tx)
                .await?;
        }
        for chunk in plan.assignments.chunks(CHUNK) {
            let mut dedup: Vec<&roster::AssignmentW> = Vec::with_capacity(chunk.len());
            for a in chunk {
                dedup.retain(|d| {
                    !(d.teacher_id == a.teacher_id
                        && d.class_id == a.class_id
                        && d.school_id == a.school_id
                        && d.subject == a.subject)
                });
                dedup.push(a);
            }
            let sql = multi_row_insert(
                "INSERT INTO teacher_assignment (school_id, teacher_id, class_id, subject, share)",
                5,
                dedup.len(),
                " ON CONFLICT (school_id, teacher_id, class_id, subject) \
              DO UPDATE SET share = excluded.share",
                NUMBERED_PARAMS,
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for a in dedup {
                q = q
                    .bind(a.school_id)
                    .bind(a.teacher_id)
                    .bind(a.class_id)
                    .bind(&a.subject)
                    .bind(a.share);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}
