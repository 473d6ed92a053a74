//! SurveyStore for both backends (included by `sqlite.rs` and `postgres.rs`).
// Row tuples are spelled out as sqlx reads them, next to the query that selects them.
#![allow(clippy::type_complexity)]

use wuyu_analytics::satisfaction::Answer;
use wuyu_domain::{
    ClassId, NewQuestionnaire, OtherAnswers, Questionnaire, QuestionnaireStatus, SchoolId, Scope,
    SurveyAbout, SurveyAudience, SurveyItem, TeacherId,
};

use super::This;
use crate::backend::{corrupt, map_unique};
use crate::survey::*;
use crate::{StoreError, StoreFuture};

const COLUMNS: &str = "id, version, previous_id, title, audience, status, items, created_at, about";

type QRow = (
    i64,
    i32,
    Option<i64>,
    String,
    String,
    String,
    String,
    i64,
    String,
);

fn questionnaire(
    (id, version, previous_id, title, audience, status, items, created_at, about): QRow,
) -> Result<Questionnaire, StoreError> {
    let what = || format!("survey_questionnaire {id}");
    Ok(Questionnaire {
        id,
        version,
        previous_id,
        title,
        audience: SurveyAudience::from_code(&audience)
            .ok_or_else(|| corrupt(&what(), format!("audience {audience}")))?,
        about: SurveyAbout::from_code(&about)
            .ok_or_else(|| corrupt(&what(), format!("about {about}")))?,
        status: QuestionnaireStatus::from_code(&status)
            .ok_or_else(|| corrupt(&what(), format!("status {status}")))?,
        items: serde_json::from_str::<Vec<SurveyItem>>(&items).map_err(|e| corrupt(&what(), e))?,
        created_at,
    })
}

fn items_json(q: &NewQuestionnaire) -> Result<String, StoreError> {
    q.check().map_err(StoreError::Refused)?;
    serde_json::to_string(&q.items).map_err(|e| corrupt("survey items", e))
}

impl This {
    async fn load_questionnaire<'e, E>(ex: E, id: i64) -> Result<Questionnaire, StoreError>
    where
        E: sqlx::Executor<'e, Database = super::Db>,
    {
        let row: Option<QRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM survey_questionnaire WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(ex)
        .await?;
        questionnaire(row.ok_or(StoreError::NotFound)?)
    }
}

/// Why a 师德 round has no public link, for the admin.
const TEACHER_ROUND_LINK: &str =
    "师德评价只用一次性答题码作答（每个答题码对应一位被评价的教师），不能生成公开作答链接";

/// Districts reach every school, a school admin their own; other scopes read no answers.
fn answer_scope(scope: &Scope) -> Result<Option<i64>, StoreError> {
    match scope {
        Scope::District => Ok(None),
        Scope::School { school_id } => Ok(Some(school_id.0)),
        _ => Err(StoreError::Forbidden),
    }
}

impl This {
    /// Appends one response of a school under the next seq, with its choice and text answers;
    /// a unique violation (a concurrent answer took the seq) is a `Conflict` the caller retries.
    async fn insert_response(
        tx: &mut sqlx::Transaction<'static, super::Db>,
        school: i64,
        (qid, class, teacher): (i64, Option<i64>, Option<i64>),
        (packed, other): (&str, &OtherAnswers),
        now: i64,
    ) -> Result<(), StoreError> {
        let (seq,): (i64,) = sqlx::query_as(
            "INSERT INTO survey_response (school_id, questionnaire_id, seq, answers, \
             submitted_at, class_id, teacher_id) \
             SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 \
             FROM survey_response WHERE school_id = $1 AND questionnaire_id = $2 \
             RETURNING seq",
        )
        .bind(school)
        .bind(qid)
        .bind(packed)
        .bind(now)
        .bind(class)
        .bind(teacher)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| map_unique(e, "survey response"))?;
        for (item, picks) in &other.choices {
            for option in picks {
                sqlx::query(
                    "INSERT INTO survey_choice_answer (school_id, questionnaire_id, seq, \
                     item_index, option_index) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(school)
                .bind(qid)
                .bind(seq)
                .bind(index(*item)?)
                .bind(index(*option)?)
                .execute(&mut **tx)
                .await?;
            }
        }
        for (item, text) in &other.texts {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            sqlx::query(
                "INSERT INTO survey_text_answer (school_id, questionnaire_id, seq, item_index, \
                 text) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(school)
            .bind(qid)
            .bind(seq)
            .bind(index(*item)?)
            .bind(text)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// An item or option index as stored (checked against the questionnaire before).
fn index(i: usize) -> Result<i32, StoreError> {
    i32::try_from(i).map_err(|_| StoreError::Refused(format!("题目或选项序号 {i} 超出范围")))
}

fn unindex(i: i32, what: &str) -> Result<usize, StoreError> {
    usize::try_from(i).map_err(|_| corrupt(what, format!("index {i}")))
}

impl SurveyStore for This {
    fn create_questionnaire<'a>(
        &'a self,
        q: &'a NewQuestionnaire,
        now: i64,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let items = items_json(q)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO survey_questionnaire (version, title, audience, status, items, \
                 created_at, about) VALUES (1, $1, $2, 'draft', $3, $4, $5) RETURNING id",
            )
            .bind(q.title.trim())
            .bind(q.audience.code())
            .bind(&items)
            .bind(now)
            .bind(q.about.code())
            .fetch_one(&self.pool)
            .await?;
            Ok(id)
        })
    }

    fn questionnaire(&self, id: i64) -> StoreFuture<'_, Questionnaire> {
        Box::pin(async move { Self::load_questionnaire(&self.pool, id).await })
    }

    fn list_questionnaires(&self) -> StoreFuture<'_, Vec<Questionnaire>> {
        Box::pin(async move {
            let rows: Vec<QRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM survey_questionnaire ORDER BY id DESC"
            )))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(questionnaire).collect()
        })
    }

    fn revise_questionnaire<'a>(
        &'a self,
        id: i64,
        q: &'a NewQuestionnaire,
        now: i64,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            let items = items_json(q)?;
            let mut tx = self.begin_write().await?;
            let old = Self::load_questionnaire(&mut *tx, id).await?;
            let id = if old.status == QuestionnaireStatus::Draft {
                sqlx::query(
                    "UPDATE survey_questionnaire SET title = $1, audience = $2, items = $3, \
                     about = $4 WHERE id = $5",
                )
                .bind(q.title.trim())
                .bind(q.audience.code())
                .bind(&items)
                .bind(q.about.code())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            } else {
                let (new,): (i64,) = sqlx::query_as(
                    "INSERT INTO survey_questionnaire (version, previous_id, title, audience, \
                     status, items, created_at, about) VALUES ($1, $2, $3, $4, 'draft', $5, $6, \
                     $7) RETURNING id",
                )
                .bind(old.version + 1)
                .bind(id)
                .bind(q.title.trim())
                .bind(q.audience.code())
                .bind(&items)
                .bind(now)
                .bind(q.about.code())
                .fetch_one(&mut *tx)
                .await?;
                new
            };
            tx.commit().await?;
            Ok(id)
        })
    }

    fn set_questionnaire_status(
        &self,
        id: i64,
        status: QuestionnaireStatus,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let from = match status {
                QuestionnaireStatus::Published => QuestionnaireStatus::Draft,
                QuestionnaireStatus::Closed => QuestionnaireStatus::Published,
                QuestionnaireStatus::Draft => {
                    return Err(StoreError::Conflict(
                        "a questionnaire never returns to draft".into(),
                    ));
                }
            };
            let done = sqlx::query(
                "UPDATE survey_questionnaire SET status = $1 WHERE id = $2 AND status = $3",
            )
            .bind(status.code())
            .bind(id)
            .bind(from.code())
            .execute(&self.pool)
            .await?
            .rows_affected();
            if done == 1 {
                return Ok(());
            }
            let now = Self::load_questionnaire(&self.pool, id).await?;
            Err(StoreError::Conflict(format!(
                "questionnaire {id} is {}, not {}",
                now.status.code(),
                from.code()
            )))
        })
    }

    fn create_survey_link<'a>(
        &'a self,
        questionnaire_id: i64,
        school_id: SchoolId,
        class_id: Option<ClassId>,
        token: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let q = Self::load_questionnaire(&self.pool, questionnaire_id).await?;
            if q.status != QuestionnaireStatus::Published {
                return Err(StoreError::Conflict(format!(
                    "questionnaire {questionnaire_id} is {}, links need a published one",
                    q.status.code()
                )));
            }
            if q.about == SurveyAbout::Teacher {
                return Err(StoreError::Refused(TEACHER_ROUND_LINK.into()));
            }
            if let Some(c) = class_id {
                let known: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM school_class WHERE school_id = $1 AND id = $2")
                        .bind(school_id.0)
                        .bind(c.0)
                        .fetch_optional(&self.pool)
                        .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound);
                }
            }
            sqlx::query(
                "INSERT INTO survey_link (school_id, token, questionnaire_id, created_at, \
                 class_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(school_id.0)
            .bind(token)
            .bind(questionnaire_id)
            .bind(crate::backend::now_unix())
            .bind(class_id.map(|c| c.0))
            .execute(&self.pool)
            .await
            .map_err(|e| map_unique(e, "survey link token"))?;
            Ok(())
        })
    }

    fn survey_link<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<SurveyLink>> {
        Box::pin(async move {
            let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                "SELECT questionnaire_id, school_id, class_id FROM survey_link WHERE token = $1",
            )
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
            match row {
                None => Ok(None),
                Some((q, s, c)) => Ok(Some(SurveyLink {
                    questionnaire: Self::load_questionnaire(&self.pool, q).await?,
                    school_id: SchoolId(s),
                    class_id: c.map(ClassId),
                })),
            }
        })
    }

    fn survey_links<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
        school_id: SchoolId,
    ) -> StoreFuture<'a, Vec<(String, Option<ClassId>)>> {
        Box::pin(async move {
            if answer_scope(scope)?.is_some_and(|s| s != school_id.0) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
                "SELECT token, class_id FROM survey_link \
                 WHERE questionnaire_id = $1 AND school_id = $2 \
                 ORDER BY class_id IS NOT NULL, class_id, created_at, token",
            )
            .bind(questionnaire_id)
            .bind(school_id.0)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(|(t, c)| (t, c.map(ClassId))).collect())
        })
    }

    fn submit_survey_response_with<'a>(
        &'a self,
        token: &'a str,
        answers: &'a [Answer],
        other: &'a OtherAnswers,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let packed = pack(answers);
            // Two links of one school answered at once can pick the same seq on PostgreSQL;
            // the loser retries with the next one.
            for _ in 0..5 {
                let mut tx = self.begin_write().await?;
                let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT questionnaire_id, school_id, class_id FROM survey_link \
                     WHERE token = $1",
                )
                .bind(token)
                .fetch_optional(&mut *tx)
                .await?;
                let (qid, school, class) = row.ok_or(StoreError::NotFound)?;
                let q = Self::load_questionnaire(&mut *tx, qid).await?;
                if let Some(why) = refusal(&q, answers, other) {
                    return Err(StoreError::Refused(why));
                }
                match Self::insert_response(
                    &mut tx,
                    school,
                    (qid, class, None),
                    (&packed, other),
                    now,
                )
                .await
                {
                    Ok(_) => {
                        tx.commit().await?;
                        return Ok(());
                    }
                    Err(StoreError::Conflict(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
            Err(StoreError::Conflict(
                "survey response: too many concurrent answers".into(),
            ))
        })
    }

    fn issue_survey_codes<'a>(
        &'a self,
        questionnaire_id: i64,
        school_id: SchoolId,
        class_id: Option<ClassId>,
        teacher_id: Option<TeacherId>,
        codes: &'a [String],
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.begin_write().await?;
            let q = Self::load_questionnaire(&mut *tx, questionnaire_id).await?;
            if q.status != QuestionnaireStatus::Published {
                return Err(StoreError::Conflict(format!(
                    "questionnaire {questionnaire_id} is {}, codes need a published one",
                    q.status.code()
                )));
            }
            match (q.about, teacher_id) {
                (SurveyAbout::School, None) => {}
                (SurveyAbout::School, Some(_)) => {
                    return Err(StoreError::Refused(format!(
                        "问卷“{}”评价的是学校，答题码不能指定教师",
                        q.title
                    )));
                }
                (SurveyAbout::Teacher, None) => {
                    return Err(StoreError::Refused(format!(
                        "问卷“{}”是师德评价：请选择被评价的教师，每个答题码对应一位教师",
                        q.title
                    )));
                }
                (SurveyAbout::Teacher, Some(t)) => {
                    let known: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM teacher WHERE school_id = $1 AND id = $2")
                            .bind(school_id.0)
                            .bind(t.0)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if known.is_none() {
                        return Err(StoreError::Refused(format!(
                            "教师（编号 {}）不在本校教师名单中",
                            t.0
                        )));
                    }
                }
            }
            for code in codes {
                sqlx::query(
                    "INSERT INTO survey_code (school_id, code, questionnaire_id, class_id, \
                     issued_at, teacher_id) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(school_id.0)
                .bind(code)
                .bind(questionnaire_id)
                .bind(class_id.map(|c| c.0))
                .bind(now)
                .bind(teacher_id.map(|t| t.0))
                .execute(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "survey code"))?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn survey_codes<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
        school_id: SchoolId,
    ) -> StoreFuture<'a, Vec<SurveyCode>> {
        Box::pin(async move {
            if answer_scope(scope)?.is_some_and(|s| s != school_id.0) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(String, Option<i64>, i32, Option<i64>)> = sqlx::query_as(
                "SELECT code, class_id, used, teacher_id FROM survey_code \
                 WHERE questionnaire_id = $1 AND school_id = $2 \
                 ORDER BY teacher_id, class_id, issued_at, code",
            )
            .bind(questionnaire_id)
            .bind(school_id.0)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(code, class_id, used, teacher_id)| SurveyCode {
                    code,
                    class_id: class_id.map(ClassId),
                    teacher_id: teacher_id.map(TeacherId),
                    used: used != 0,
                })
                .collect())
        })
    }

    fn survey_code<'a>(&'a self, code: &'a str) -> StoreFuture<'a, Option<OpenCode>> {
        Box::pin(async move {
            let row: Option<(i64, i64, i32, Option<i64>)> = sqlx::query_as(
                "SELECT questionnaire_id, school_id, used, teacher_id FROM survey_code \
                 WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
            match row {
                None => Ok(None),
                Some((q, s, used, t)) => Ok(Some(OpenCode {
                    questionnaire: Self::load_questionnaire(&self.pool, q).await?,
                    school_id: SchoolId(s),
                    teacher_id: t.map(TeacherId),
                    used: used != 0,
                })),
            }
        })
    }

    fn submit_survey_code_with<'a>(
        &'a self,
        code: &'a str,
        answers: &'a [Answer],
        other: &'a OtherAnswers,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let packed = pack(answers);
            for _ in 0..5 {
                let mut tx = self.begin_write().await?;
                let row: Option<(i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT questionnaire_id, school_id, class_id, teacher_id FROM survey_code \
                     WHERE code = $1",
                )
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
                let (qid, school, class, teacher) = row.ok_or(StoreError::NotFound)?;
                let q = Self::load_questionnaire(&mut *tx, qid).await?;
                if let Some(why) = refusal(&q, answers, other) {
                    return Err(StoreError::Refused(why));
                }
                // Marking the code is the lock: of two answers with one code only one flips it.
                let marked =
                    sqlx::query("UPDATE survey_code SET used = 1 WHERE code = $1 AND used = 0")
                        .bind(code)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                if marked != 1 {
                    return Err(StoreError::Refused(
                        "此答题码已经使用过，每个答题码只能作答一次".into(),
                    ));
                }
                match Self::insert_response(
                    &mut tx,
                    school,
                    (qid, class, teacher),
                    (&packed, other),
                    now,
                )
                .await
                {
                    Ok(()) => {
                        tx.commit().await?;
                        return Ok(());
                    }
                    Err(StoreError::Conflict(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
            Err(StoreError::Conflict(
                "survey response: too many concurrent answers".into(),
            ))
        })
    }

    fn survey_code_counts<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<CodeCounts>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT school_id, COUNT(*), SUM(used) FROM survey_code \
                 WHERE questionnaire_id = $1 AND ($2 IS NULL OR school_id = $2) \
                 GROUP BY school_id ORDER BY school_id",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(s, issued, used)| CodeCounts {
                    school_id: SchoolId(s),
                    issued: usize::try_from(issued).unwrap_or(0),
                    used: usize::try_from(used).unwrap_or(0),
                })
                .collect())
        })
    }

    fn survey_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<SchoolAnswers>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let q = Self::load_questionnaire(&self.pool, questionnaire_id).await?;
            let k = q.items.len();
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT school_id, answers FROM survey_response \
                 WHERE questionnaire_id = $1 AND ($2 IS NULL OR school_id = $2) \
                 ORDER BY school_id, seq",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            let mut out: Vec<SchoolAnswers> = Vec::new();
            for (school_id, text) in rows {
                if out.last().is_none_or(|s| s.school_id.0 != school_id) {
                    out.push(SchoolAnswers {
                        school_id: SchoolId(school_id),
                        items: k,
                        answers: Vec::new(),
                    });
                }
                let cur = out.last_mut().expect("pushed above");
                if text.len() != k || unpack(&text, &mut cur.answers).is_none() {
                    return Err(corrupt(
                        &format!("survey_response of questionnaire {questionnaire_id}"),
                        format!("answers {text:?} for {k} items"),
                    ));
                }
            }
            Ok(out)
        })
    }

    fn survey_teacher_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<TeacherAnswers>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let q = Self::load_questionnaire(&self.pool, questionnaire_id).await?;
            let k = q.items.len();
            // Every teacher with codes, so one with codes and no answers shows n = 0.
            let issued: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT school_id, teacher_id, COUNT(*) FROM survey_code \
                 WHERE questionnaire_id = $1 AND ($2 IS NULL OR school_id = $2) \
                 AND teacher_id IS NOT NULL GROUP BY school_id, teacher_id \
                 ORDER BY school_id, teacher_id",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            let mut out: Vec<TeacherAnswers> = issued
                .into_iter()
                .map(|(s, t, n)| TeacherAnswers {
                    school_id: SchoolId(s),
                    teacher_id: TeacherId(t),
                    issued: usize::try_from(n).unwrap_or(0),
                    items: k,
                    answers: Vec::new(),
                })
                .collect();
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT school_id, teacher_id, answers FROM survey_response \
                 WHERE questionnaire_id = $1 AND ($2 IS NULL OR school_id = $2) \
                 AND teacher_id IS NOT NULL ORDER BY school_id, teacher_id, seq",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            for (school_id, teacher_id, text) in rows {
                let key = (SchoolId(school_id), TeacherId(teacher_id));
                let i = match out.binary_search_by_key(&key, |t| (t.school_id, t.teacher_id)) {
                    Ok(i) => i,
                    Err(i) => {
                        out.insert(
                            i,
                            TeacherAnswers {
                                school_id: key.0,
                                teacher_id: key.1,
                                issued: 0,
                                items: k,
                                answers: Vec::new(),
                            },
                        );
                        i
                    }
                };
                if text.len() != k || unpack(&text, &mut out[i].answers).is_none() {
                    return Err(corrupt(
                        &format!("survey_response of questionnaire {questionnaire_id}"),
                        format!("answers {text:?} for {k} items"),
                    ));
                }
            }
            Ok(out)
        })
    }

    fn survey_class_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<ClassAnswers>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let q = Self::load_questionnaire(&self.pool, questionnaire_id).await?;
            let k = q.items.len();
            let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT school_id, class_id, answers FROM survey_response \
                 WHERE questionnaire_id = $1 AND ($2 IS NULL OR school_id = $2) \
                 AND class_id IS NOT NULL ORDER BY school_id, class_id, seq",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            let mut out: Vec<ClassAnswers> = Vec::new();
            for (school_id, class_id, text) in rows {
                if out
                    .last()
                    .is_none_or(|c| c.school_id.0 != school_id || c.class_id.0 != class_id)
                {
                    out.push(ClassAnswers {
                        school_id: SchoolId(school_id),
                        class_id: ClassId(class_id),
                        items: k,
                        answers: Vec::new(),
                    });
                }
                let cur = out.last_mut().expect("pushed above");
                if text.len() != k || unpack(&text, &mut cur.answers).is_none() {
                    return Err(corrupt(
                        &format!("survey_response of questionnaire {questionnaire_id}"),
                        format!("answers {text:?} for {k} items"),
                    ));
                }
            }
            Ok(out)
        })
    }

    fn survey_choice_tallies<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<ChoiceTally>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let q = Self::load_questionnaire(&self.pool, questionnaire_id).await?;
            let what = format!("survey_choice_answer of questionnaire {questionnaire_id}");
            // Respondents per item first (the valid n), then the picks per option.
            let answered: Vec<(i64, Option<i64>, i32, i64)> = sqlx::query_as(
                "SELECT r.school_id, r.class_id, c.item_index, COUNT(DISTINCT c.seq) \
                 FROM survey_choice_answer c JOIN survey_response r \
                 ON r.school_id = c.school_id AND r.questionnaire_id = c.questionnaire_id \
                 AND r.seq = c.seq \
                 WHERE c.questionnaire_id = $1 AND ($2 IS NULL OR c.school_id = $2) \
                 GROUP BY r.school_id, r.class_id, c.item_index \
                 ORDER BY r.school_id, r.class_id, c.item_index",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            let mut out = Vec::with_capacity(answered.len());
            // Where each (school, class, item) tally is, for the picks below.
            let mut at: std::collections::HashMap<(i64, Option<i64>, usize), usize> =
                std::collections::HashMap::with_capacity(answered.len());
            for (s, c, item, n) in answered {
                let item = unindex(item, &what)?;
                let options = q
                    .items
                    .get(item)
                    .map(|i| i.kind.options().len())
                    .ok_or_else(|| corrupt(&what, format!("item {item}")))?;
                at.insert((s, c, item), out.len());
                out.push(ChoiceTally {
                    school_id: SchoolId(s),
                    class_id: c.map(ClassId),
                    item,
                    answered: usize::try_from(n).unwrap_or(0),
                    picks: vec![0; options],
                });
            }
            let picks: Vec<(i64, Option<i64>, i32, i32, i64)> = sqlx::query_as(
                "SELECT r.school_id, r.class_id, c.item_index, c.option_index, COUNT(*) \
                 FROM survey_choice_answer c JOIN survey_response r \
                 ON r.school_id = c.school_id AND r.questionnaire_id = c.questionnaire_id \
                 AND r.seq = c.seq \
                 WHERE c.questionnaire_id = $1 AND ($2 IS NULL OR c.school_id = $2) \
                 GROUP BY r.school_id, r.class_id, c.item_index, c.option_index",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            for (s, c, item, option, n) in picks {
                let (item, option) = (unindex(item, &what)?, unindex(option, &what)?);
                let t = at
                    .get(&(s, c, item))
                    .map(|&i| &mut out[i])
                    .ok_or_else(|| corrupt(&what, format!("item {item}")))?;
                *t.picks
                    .get_mut(option)
                    .ok_or_else(|| corrupt(&what, format!("option {option} of item {item}")))? +=
                    usize::try_from(n).unwrap_or(0);
            }
            Ok(out)
        })
    }

    fn survey_text_answers<'a>(
        &'a self,
        scope: &'a Scope,
        questionnaire_id: i64,
    ) -> StoreFuture<'a, Vec<TextAnswer>> {
        Box::pin(async move {
            let school = answer_scope(scope)?;
            let rows: Vec<(i64, i32, String, i64)> = sqlx::query_as(
                "SELECT t.school_id, t.item_index, t.text, r.submitted_at \
                 FROM survey_text_answer t JOIN survey_response r \
                 ON r.school_id = t.school_id AND r.questionnaire_id = t.questionnaire_id \
                 AND r.seq = t.seq \
                 WHERE t.questionnaire_id = $1 AND ($2 IS NULL OR t.school_id = $2) \
                 ORDER BY t.school_id, t.item_index, t.seq",
            )
            .bind(questionnaire_id)
            .bind(school)
            .fetch_all(&self.pool)
            .await?;
            let what = format!("survey_text_answer of questionnaire {questionnaire_id}");
            rows.into_iter()
                .map(|(s, item, text, at)| {
                    Ok(TextAnswer {
                        school_id: SchoolId(s),
                        item: unindex(item, &what)?,
                        text,
                        submitted_at: at,
                    })
                })
                .collect()
        })
    }
}
