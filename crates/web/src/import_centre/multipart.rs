//! A small `multipart/form-data` reader for the upload form (RFC 7578): the body is read whole
//! under the upload cap first, then split at the boundary. Only what browsers send is
//! understood: each part's `Content-Disposition: form-data; name="…"; filename="…"`.
//! (axum's multipart extractor would add a streaming parser and its dependencies for one form.)

/// One field of the form: a text field, or a file when `file_name` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

/// Why a body is not a form we read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed;

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The parts of `body`.
pub(crate) fn parse(boundary: &str, body: &[u8]) -> Result<Vec<Part>, Malformed> {
    let open = format!("--{boundary}");
    let delim = format!("\r\n--{boundary}");
    let start = find(body, open.as_bytes(), 0).ok_or(Malformed)?;
    let mut pos = start + open.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: "--" ends the body, CRLF starts a part.
        match body.get(pos..pos + 2) {
            Some(b"--") => return Ok(parts),
            Some(b"\r\n") => pos += 2,
            _ => return Err(Malformed),
        }
        let head_end = find(body, b"\r\n\r\n", pos).ok_or(Malformed)?;
        let head = std::str::from_utf8(&body[pos..head_end]).map_err(|_| Malformed)?;
        let data_start = head_end + 4;
        let data_end = find(body, delim.as_bytes(), data_start).ok_or(Malformed)?;
        let (name, file_name) = disposition(head).ok_or(Malformed)?;
        parts.push(Part {
            name,
            file_name,
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + delim.len();
    }
}

/// `name` and `filename` of a part's headers.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find(|l| {
        l.split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let (_, value) = line.split_once(':')?;
    let mut name = None;
    let mut file_name = None;
    for p in value.split(';').skip(1) {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        // Browsers escape a quote in a file name as %22 and keep other characters (UTF-8).
        let v = v.trim().trim_matches('"').replace("%22", "\"");
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => file_name = Some(v),
            _ => {}
        }
    }
    // A path some old browsers send: keep the last component.
    let file_name = file_name.map(|f| f.rsplit(['/', '\\']).next().unwrap_or_default().to_string());
    Some((name?, file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_a_browser_sends() {
        let ct = "multipart/form-data; boundary=----WebKitFormBoundaryAbC";
        let b = boundary(ct).unwrap();
        let body = "------WebKitFormBoundaryAbC\r\n\
            Content-Disposition: form-data; name=\"term\"\r\n\r\n\
            2025-autumn\r\n\
            ------WebKitFormBoundaryAbC\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"名册%22新%22.csv\"\r\n\
            Content-Type: text/csv\r\n\r\n\
            学籍号,姓名\r\nG1,张三\r\n\r\n\
            ------WebKitFormBoundaryAbC--\r\n";
        let parts = parse(&b, body.as_bytes()).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "term");
        assert_eq!(parts[0].data, b"2025-autumn");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].data, "学籍号,姓名\r\nG1,张三\r\n".as_bytes());
        assert_eq!(parts[1].file_name.as_deref(), Some("名册\"新\".csv"));
    }

    #[test]
    fn refuses_what_is_not_a_form() {
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(parse("x", b"no boundary here"), Err(Malformed));
        assert_eq!(
            parse(
                "x",
                b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"
            ),
            Err(Malformed)
        );
    }
}
