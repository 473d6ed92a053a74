//! District-supplied scale definitions: the district admin loads a licensed instrument's
//! definition (JSON) under the district's own licence; every load is audited. A campaign pins
//! one version, and answers are scored at write with exactly that version.
use serde::Serialize;
use sha2::{Digest, Sha256};
use wuyu_domain::{Capability, Viewer};
use wuyu_standards::scales::{BuiltinScale, ScaleDefinition};
use wuyu_store::psych::scales::{NewScaleVersion, ScaleLoad, ScaleRef, ScaleVersion};

use super::audit::{now_unix, record, refused};
use crate::audit::Requester;
use crate::{Service, ServiceError};

/// The most a definition file may hold: a scale of a few hundred items fits in far less.
pub const MAX_DEFINITION_BYTES: usize = 512 * 1024;

/// What a load did, for the page and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleLoaded {
    pub code: String,
    pub name: String,
    pub load: ScaleLoad,
}

impl ScaleLoaded {
    /// One Chinese sentence saying what happened.
    pub fn message_zh(&self) -> String {
        match self.load {
            ScaleLoad::Added(v) => format!("已载入量表“{}”（{}）第 {v} 版", self.name, self.code),
            ScaleLoad::Unchanged(v) => format!(
                "量表“{}”（{}）内容与已有的第 {v} 版相同，未新增版本",
                self.name, self.code
            ),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Codes name form fields and import columns (`{code}_1`…): lower-case letters, digits and
/// `_`, starting with a letter, and never a built-in scale's code.
fn check_code(file: &str, code: &str) -> Result<(), ServiceError> {
    let ok = code.len() <= 32
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(ServiceError::BadRequest(format!(
            "量表定义文件“{file}”code：量表代码“{code}”无效：只能用小写字母、数字和下划线，\
             以字母开头，最长 32 个字符"
        )));
    }
    if BuiltinScale::parse(code).is_some() {
        return Err(ServiceError::BadRequest(format!(
            "量表定义文件“{file}”code：“{code}”是内置量表的代码，请换一个代码"
        )));
    }
    Ok(())
}

/// Validates and stores a definition file (a new version unless the same content is stored).
/// Nothing is stored when any check fails; the Chinese message names the field and value.
pub async fn load_scale(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
    file_name: &str,
    bytes: &[u8],
    licence: &str,
) -> Result<ScaleLoaded, ServiceError> {
    if !viewer.can(Capability::LoadPsychScales) {
        return Err(refused(svc, viewer, who, None, "psych_scale:load").await);
    }
    if bytes.len() > MAX_DEFINITION_BYTES {
        return Err(ServiceError::BadRequest(format!(
            "量表定义文件“{file_name}”有 {} 字节，超过上限 {MAX_DEFINITION_BYTES} 字节",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ServiceError::BadRequest(format!(
            "量表定义文件“{file_name}”不是 UTF-8 编码的 JSON 文本"
        ))
    })?;
    let def = ScaleDefinition::from_json(file_name, text)
        .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    check_code(file_name, &def.code)?;
    let licence = licence.trim();
    if licence.chars().count() > 500 {
        return Err(ServiceError::BadRequest(
            "授权说明过长：不超过 500 字".into(),
        ));
    }
    let sha256 = sha256_hex(bytes);
    let new = NewScaleVersion {
        code: def.code.clone(),
        name: def.name_zh.clone(),
        source_version: def.version.clone(),
        definition: text.to_string(),
        sha256: sha256.clone(),
        licence: licence.to_string(),
        loaded_by: who.username.clone(),
        loaded_at: now_unix(),
    };
    let load = svc.store().load_scale(&viewer.scope, &new).await?;
    let outcome = match load {
        ScaleLoad::Added(_) => "added",
        ScaleLoad::Unchanged(_) => "unchanged",
    };
    record(
        svc,
        who,
        "psych_scale_load",
        None,
        format!("psych_scale:{}:{}", def.code, load.version()),
        format!("file={file_name} sha256={sha256} {outcome}"),
    )
    .await?;
    Ok(ScaleLoaded {
        code: def.code,
        name: def.name_zh,
        load,
    })
}

/// Every stored version, by code, newest first: district admins and counsellors.
pub async fn scales(
    svc: &Service,
    viewer: &Viewer,
    who: &Requester,
) -> Result<Vec<ScaleVersion>, ServiceError> {
    if !viewer.can(Capability::ViewPsychScales) {
        return Err(refused(svc, viewer, who, None, "psych_scale:list").await);
    }
    Ok(svc.store().scales(&viewer.scope).await?)
}

/// The definition of a pinned version, to render a form or score answers with.
pub async fn definition(svc: &Service, r: &ScaleRef) -> Result<ScaleDefinition, ServiceError> {
    let v = svc
        .store()
        .scale_version(&r.code, r.version)
        .await?
        .ok_or(ServiceError::NotFound)?;
    // Validated when loaded; a stored version never changes.
    ScaleDefinition::from_json(&format!("{}@{}", r.code, r.version), &v.definition)
        .map_err(|e| ServiceError::Internal(e.to_string()))
}
