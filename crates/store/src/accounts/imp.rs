//! AccountStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]
use std::collections::BTreeSet;

use sqlx::AssertSqlSafe;
use wuyu_domain::{ClassId, Role, SchoolId, Scope, StudentId, TeacherId, User, UserId};

use super::This;
use crate::backend::*;
use crate::model::*;
use crate::prelude::*;
use crate::roster::sql::*;
use crate::{StoreError, StoreFuture};

impl AccountStore for This {
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
        Box::pin(async move { self.write_password(user, hash, false).await })
    }

    fn set_one_time_password<'a>(&'a self, user: UserId, hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.write_password(user, hash, true).await })
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

    fn user_credentials<'a>(
        &'a self,
        username: &'a str,
    ) -> StoreFuture<'a, Option<UserCredentials>> {
        Box::pin(async move {
            let row: Option<(
                i64,
                String,
                String,
                String,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                String,
                bool,
                bool,
            )> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {USER_COLS}, u.password_hash, u.active, u.must_change_password \
                     FROM app_user u WHERE u.username = $1"
            )))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
            row.map(|r| {
                Ok(UserCredentials {
                    user: user_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?,
                    password_hash: r.7,
                    active: r.8,
                    must_change_password: r.9,
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
        Box::pin(async move { self.user_rows(None).await })
    }

    fn school_users(&self, school: SchoolId) -> StoreFuture<'_, Vec<UserRow>> {
        Box::pin(async move { self.user_rows(Some(school)).await })
    }

    fn scope_for<'a>(&'a self, user: &'a User) -> StoreFuture<'a, Scope> {
        Box::pin(async move {
            let school = || {
                user.school_id
                    .ok_or_else(|| corrupt("app_user.school_id", "missing for a school role"))
            };
            Ok(match user.role {
                Role::DistrictAdmin | Role::DistrictAnalyst => Scope::District,
                Role::SchoolAdmin => Scope::School {
                    school_id: school()?,
                },
                Role::Counsellor => Scope::Counsellor {
                    school_id: school()?,
                },
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
                    Scope::Classes {
                        school_id,
                        class_ids,
                    }
                }
            })
        })
    }

    fn create_session<'a>(&'a self, s: &'a NewSession) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO user_session \
                   (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $4)",
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
            // A parent's chosen child counts only while it is still linked to the account.
            let row: Option<(
                i64,
                String,
                String,
                String,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                String,
                i64,
                i64,
                bool,
                Option<i64>,
                Option<i64>,
            )> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {USER_COLS}, s.csrf_token, s.expires_at, s.last_seen_at, \
                     u.must_change_password, pc.school_id, pc.student_id FROM user_session s \
                     JOIN app_user u ON u.id = s.user_id \
                     LEFT JOIN parent_child pc ON pc.user_id = s.user_id \
                       AND pc.student_id = s.child_student_id \
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
                    last_seen_at: r.9,
                    must_change_password: r.10,
                    child: r.11.zip(r.12).map(|(s, c)| (SchoolId(s), StudentId(c))),
                })
            })
            .transpose()
        })
    }

    fn touch_session<'a>(&'a self, token_hash: &'a str, now: i64) -> StoreFuture<'a, ()> {
        Box::pin(self.touch_session_row(token_hash, now))
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

    fn teachers_without_account(
        &self,
        school: SchoolId,
    ) -> StoreFuture<'_, Vec<(TeacherId, String, String)>> {
        Box::pin(async move {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT t.id, t.staff_no, t.name FROM teacher t \
                 WHERE t.school_id = $1 AND NOT EXISTS (SELECT 1 FROM app_user u \
                   WHERE u.school_id = t.school_id AND u.teacher_id = t.id) \
                 ORDER BY t.staff_no",
            )
            .bind(school.0)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| (TeacherId(r.0), r.1, r.2))
                .collect())
        })
    }

    fn create_one_time_users<'a>(&'a self, users: &'a [NewUser]) -> StoreFuture<'a, Vec<UserId>> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.pool.begin().await?;
            let mut ids = Vec::with_capacity(users.len());
            for u in users {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO app_user (id, username, display_name, role, password_hash, \
                       school_id, teacher_id, student_id, active, created_at, must_change_password) \
                     SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $8 \
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
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_unique(e, &format!("用户名“{}”已存在", u.username)))?;
                ids.push(UserId(id));
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    fn issue_binding_codes<'a>(
        &'a self,
        school: SchoolId,
        codes: &'a [(StudentId, String)],
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            for (student, hash) in codes {
                sqlx::query("DELETE FROM binding_code WHERE school_id = $1 AND student_id = $2")
                    .bind(school.0)
                    .bind(student.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO binding_code (school_id, student_id, code_hash, issued_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(school.0)
                .bind(student.0)
                .bind(hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn redeem_binding_code<'a>(
        &'a self,
        student_no: &'a str,
        code_hash: &'a str,
        parent: &'a ParentTarget,
        now: i64,
    ) -> StoreFuture<'a, (UserId, SchoolId, StudentId)> {
        Box::pin(async move {
            let _guard = self.write_lock.lock().await;
            let mut tx = self.pool.begin().await?;
            // Spending the code first makes a second, concurrent use find nothing to spend.
            let found: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE binding_code SET used_at = $3 \
                 WHERE used_at IS NULL AND code_hash = $2 AND (school_id, student_id) IN \
                   (SELECT school_id, id FROM student WHERE student_no = $1) \
                 RETURNING school_id, student_id",
            )
            .bind(student_no)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((school, student)) = found else {
                return Err(StoreError::NotFound);
            };
            let user = match parent {
                ParentTarget::Existing(id) => *id,
                ParentTarget::New(u) => {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO app_user (id, username, display_name, role, password_hash, \
                           school_id, teacher_id, student_id, active, created_at) \
                         SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, NULL, $6, $7, $8 \
                         FROM app_user RETURNING id",
                    )
                    .bind(&u.username)
                    .bind(&u.display_name)
                    .bind(Role::Parent.code())
                    .bind(&u.password_hash)
                    .bind(school)
                    .bind(student)
                    .bind(true)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| map_unique(e, "用户名已存在"))?;
                    UserId(id)
                }
            };
            sqlx::query(
                "UPDATE binding_code SET used_by = $3 WHERE school_id = $1 AND student_id = $2",
            )
            .bind(school)
            .bind(student)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO parent_child (user_id, school_id, student_id, linked_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, student_id) DO NOTHING",
            )
            .bind(user.0)
            .bind(school)
            .bind(student)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((user, SchoolId(school), StudentId(student)))
        })
    }

    fn parent_children(&self, user: UserId) -> StoreFuture<'_, Vec<ChildRow>> {
        Box::pin(async move {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT st.school_id, st.id, st.name FROM student st WHERE \
                   EXISTS (SELECT 1 FROM parent_child pc WHERE pc.user_id = $1 \
                     AND pc.school_id = st.school_id AND pc.student_id = st.id) \
                   OR EXISTS (SELECT 1 FROM app_user u WHERE u.id = $1 AND u.role = $2 \
                     AND u.school_id = st.school_id AND u.student_id = st.id) \
                 ORDER BY st.name, st.id",
            )
            .bind(user.0)
            .bind(Role::Parent.code())
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| ChildRow {
                    school_id: SchoolId(r.0),
                    student_id: StudentId(r.1),
                    name: r.2,
                })
                .collect())
        })
    }

    fn set_session_child<'a>(
        &'a self,
        token_hash: &'a str,
        student: StudentId,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query("UPDATE user_session SET child_student_id = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(student.0)
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
}

impl This {
    /// Stores a password hash with its must-change flag and ends the user's sessions, in one
    /// transaction: a new password never leaves an old session alive.
    async fn write_password(
        &self,
        user: UserId,
        hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE app_user SET password_hash = $2, must_change_password = $3 WHERE id = $1",
        )
        .bind(user.0)
        .bind(hash)
        .bind(must_change)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account, or those bound to one school, by username.
    async fn user_rows(&self, school: Option<SchoolId>) -> Result<Vec<UserRow>, StoreError> {
        let rows: Vec<(
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            bool,
            Option<String>,
            bool,
        )> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLS}, u.active, s.name, u.must_change_password FROM app_user u \
                 LEFT JOIN school s ON s.id = u.school_id \
                 WHERE ($1 IS NULL OR u.school_id = $1) ORDER BY u.username"
        )))
        .bind(school.map(|s| s.0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(UserRow {
                    user: user_from((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?,
                    active: r.7,
                    school_name: r.8,
                    must_change_password: r.9,
                })
            })
            .collect()
    }
}
