//! `POST /schools/{id}/students/{student_id}/archive/entries`: a family's own entry (家务劳动
//! check-ins, 志愿服务 with hours) from the archive page's phone-sized form, with photos or a
//! certificate; it goes to the 班主任 for review. Refused input is shown again as typed, each
//! message next to its field; another family's child is refused outright.
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use wuyu_domain::{SchoolId, StudentId, Term};
use wuyu_service::ServiceError;
use wuyu_service::archive::{self, ActivityForm, ClassRecordError, FieldError};
use wuyu_service::audit::Requester;

use super::pages::{EntryTyped, student_page};
use super::upload;
use crate::access::{Require, cap};
use crate::auth::ClientIp;
use crate::error::AppError;
use crate::pages::path_ids;
use crate::state::AppState;

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The term the form was for, else today's.
fn term_of(code: &str) -> Result<Term, AppError> {
    match code.trim() {
        "" => Term::of_date(archive::today()).map_err(|_| AppError::BadRequest),
        t => Term::parse_code(t).map_err(|_| AppError::BadRequest),
    }
}

pub(crate) async fn enter(
    State(state): State<AppState>,
    Require(me, _): Require<cap::RecordActivities>,
    ClientIp(ip): ClientIp,
    p: Result<Path<(i64, i64)>, PathRejection>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let (school, student) = path_ids(p)?;
    let ids = (SchoolId(school), StudentId(student));
    let Some(posted) = upload::read(req).await? else {
        let typed = EntryTyped {
            form: ActivityForm::default(),
            errors: vec![FieldError {
                field: "evidence",
                message: upload::too_large(),
            }],
        };
        let html = student_page(&state, &me, &ip, ids, None, None, None, Some(typed)).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, html).into_response());
    };
    let f = &posted.fields;
    let term = term_of(field(f, "term"))?;
    let form = ActivityForm {
        category: field(f, "category").into(),
        date: field(f, "date").into(),
        end_date: String::new(),
        hours: field(f, "hours").into(),
        travel: field(f, "travel").into(),
        organiser: field(f, "organiser").into(),
        description: field(f, "description").into(),
    };
    let who = Requester::user(&me.user, &ip);
    let errors = match archive::record_family_entry(
        &state.svc,
        &me.viewer(),
        &who,
        ids.0,
        ids.1,
        term,
        &form,
        &posted.files,
    )
    .await
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "/schools/{school}/students/{student}/archive?term={}&done=entered",
                term.code()
            ))
            .into_response());
        }
        // Not the family's child: nothing of that child's page is shown.
        Err(ClassRecordError::Fields(e)) if e.iter().any(|e| e.field == "student") => {
            return Err(AppError::Forbidden);
        }
        Err(ClassRecordError::Fields(e)) => e,
        Err(ClassRecordError::Service(ServiceError::BadRequest(why))) => vec![FieldError {
            field: "description",
            message: why,
        }],
        Err(ClassRecordError::Service(e)) => return Err(e.into()),
    };
    let typed = EntryTyped { form, errors };
    let html = student_page(&state, &me, &ip, ids, Some(term), None, None, Some(typed)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}
