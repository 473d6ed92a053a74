//! 量表定义 (`/psych/scales`): the district's own scale definitions with their versions, for
//! district admins (who upload a JSON file — multipart, sent by the page's upload script) and
//! counsellors (who name one in a campaign). A file that does not validate comes back with the
//! Chinese reason naming the field and value; nothing is stored.
use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use wuyu_domain::Capability;
use wuyu_service::ServiceError;
use wuyu_service::audit::Requester;
use wuyu_service::psych::{self, MAX_DEFINITION_BYTES};
use wuyu_standards::scales::{Method, ScaleDefinition};

use crate::access::{Require, cap};
use crate::auth::{ClientIp, CurrentUser};
use crate::error::AppError;
use crate::import_centre::multipart;
use crate::state::AppState;
use crate::view::{Chrome, format_time, render};

/// Room for the licence field and the multipart framing around the file.
const FRAMING: usize = 16 * 1024;

pub(crate) struct Line {
    code: String,
    version: i32,
    name: String,
    source_version: String,
    licence: String,
    loaded_by: String,
    loaded_at: String,
    sha_short: String,
    sha256: String,
    campaigns: i64,
    /// Items, answers, reverse items, subscales and their bands, as the district checks them.
    outline: String,
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join("、")
}

/// One line saying what the stored definition scores, so a load can be checked by eye.
fn outline(json: &str) -> String {
    let Ok(d) = ScaleDefinition::from_json("", json) else {
        return String::new();
    };
    let method = |m: Method| match m {
        Method::Sum => "求和",
        Method::Mean => "平均",
    };
    let mut parts = vec![format!(
        "{} 题，答案 {}",
        d.item_count,
        join(&d.answer_values)
    )];
    if !d.reverse_items.is_empty() {
        parts.push(format!("反向计分第 {} 题", join(&d.reverse_items)));
    }
    for s in d.subscales.iter().chain(d.total.iter()) {
        let items = if s.items.is_empty() {
            "全部题目".to_string()
        } else {
            format!("第 {} 题", join(&s.items))
        };
        let bands: Vec<String> = s
            .cutoffs
            .iter()
            .map(|c| format!("{}–{} {}", c.min, c.max, c.label_zh))
            .collect();
        let bands = if bands.is_empty() {
            String::new()
        } else {
            format!("：{}", bands.join("，"))
        };
        parts.push(format!(
            "{}（{items}{}）{bands}",
            s.name_zh,
            method(s.method)
        ));
    }
    for v in &d.validity {
        parts.push(format!("{} 高于 {} 为无效", v.subscale, v.invalid_above));
    }
    parts.join("；")
}

#[derive(Template)]
#[template(path = "psych_scales.html")]
struct ScalesPage {
    chrome: Chrome,
    can_load: bool,
    notice: Option<String>,
    error: Option<String>,
    lines: Vec<Line>,
}

async fn page(
    state: &AppState,
    me: &CurrentUser,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let who = Requester::user(&me.user, "");
    let lines = psych::scales(&state.svc, &me.viewer(), &who)
        .await?
        .into_iter()
        .map(|s| Line {
            sha_short: s.sha256.chars().take(12).collect(),
            outline: outline(&s.definition),
            code: s.code,
            version: s.version,
            name: s.name,
            source_version: s.source_version,
            licence: s.licence,
            loaded_by: s.loaded_by,
            loaded_at: format_time(s.loaded_at),
            sha256: s.sha256,
            campaigns: s.campaigns,
        })
        .collect();
    let p = ScalesPage {
        chrome: Chrome::new(me, "/psych/scales"),
        can_load: me.viewer().can(Capability::LoadPsychScales),
        notice,
        error,
        lines,
    };
    Ok((status, render(&p)?).into_response())
}

/// `GET /psych/scales`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Require(me, _): Require<cap::ViewPsychScales>,
) -> Result<Response, AppError> {
    page(&state, &me, StatusCode::OK, None, None).await
}

/// `POST /psych/scales` (multipart: `file`, `licence`).
pub(crate) async fn load(
    State(state): State<AppState>,
    Require(me, _): Require<cap::LoadPsychScales>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or(AppError::BadRequest)?;
    let Ok(bytes) = to_bytes(body, MAX_DEFINITION_BYTES + FRAMING).await else {
        let why = format!(
            "量表定义文件太大：不超过 {} KB",
            MAX_DEFINITION_BYTES / 1024
        );
        return page(&state, &me, StatusCode::PAYLOAD_TOO_LARGE, None, Some(why)).await;
    };
    let parts = multipart::parse(&boundary, &bytes).map_err(|_| AppError::BadRequest)?;
    let mut file = None;
    let mut licence = String::new();
    for p in parts {
        match (p.name.as_str(), p.file_name) {
            ("file", Some(name)) if !name.is_empty() => file = Some((name, p.data)),
            ("licence", None) => licence = String::from_utf8_lossy(&p.data).into_owned(),
            _ => {}
        }
    }
    let Some((name, data)) = file else {
        let why = "请选择量表定义文件（JSON）".to_string();
        return page(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(why),
        )
        .await;
    };
    let who = Requester::user(&me.user, &ip);
    match psych::load_scale(&state.svc, &me.viewer(), &who, &name, &data, &licence).await {
        Ok(done) => page(&state, &me, StatusCode::OK, Some(done.message_zh()), None).await,
        Err(ServiceError::BadRequest(m) | ServiceError::Conflict(m)) => {
            page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
