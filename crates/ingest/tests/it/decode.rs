//! Encodings as Excel and other tools write them, and bytes that are no encoding at all.
use encoding_rs::GB18030;
use wuyu_ingest::{IngestError, RosterOptions, decode, read_roster};

const TEXT: &str = "学校代码,年级,班级\n3101120001,七年级,3班\n";

#[test]
fn plain_utf8_is_borrowed_as_is() {
    let d = decode(TEXT.as_bytes()).unwrap();
    assert_eq!(d.encoding, "UTF-8");
    assert_eq!(d.text, TEXT);
}

#[test]
fn utf8_bom_is_stripped() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), TEXT.as_bytes()].concat();
    let d = decode(&bytes).unwrap();
    assert_eq!(d.encoding, "UTF-8");
    assert_eq!(d.text, TEXT);
}

#[test]
fn gbk_from_excel_is_read_as_gb18030() {
    let (bytes, _, had_errors) = GB18030.encode(TEXT);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let d = decode(&bytes).unwrap();
    assert_eq!(d.encoding, "GB18030");
    assert_eq!(d.text, TEXT);
}

#[test]
fn utf16_with_bom_is_decoded() {
    // Excel's "Unicode 文本" is UTF-16LE with a BOM (encoding_rs does not encode UTF-16, so
    // the code units are written by hand).
    let mut bytes = vec![0xFF, 0xFE];
    for u in TEXT.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let d = decode(&bytes).unwrap();
    assert_eq!(d.encoding, "UTF-16");
    assert_eq!(d.text, TEXT);
}

#[test]
fn bytes_neither_utf8_nor_gb18030_fail_the_file_with_the_line() {
    let err = decode(b"\x81\x20").unwrap_err();
    assert!(
        matches!(err, IngestError::Undecodable { line: 1 }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("UTF-8") && msg.contains("GB18030"), "{msg}");
    assert!(
        msg.contains("另存为"),
        "tells the user how to fix it: {msg}"
    );

    let mut bytes = b"a,b\n1,2\n".to_vec();
    bytes.extend_from_slice(b"\x81\x20,3\n");
    match read_roster("名册.csv", &bytes, &RosterOptions::default()) {
        Err(IngestError::Undecodable { line }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_broken_utf8_bom_file_is_not_reinterpreted() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), b"a,b\n\xFF,1\n"].concat();
    let err = decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::Malformed {
                encoding: "UTF-8",
                line: 2
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_file_is_a_file_error() {
    let err = read_roster("学生.csv", b"", &RosterOptions::default()).unwrap_err();
    assert!(matches!(err, IngestError::EmptyFile));
    assert!(err.to_string().contains("空"));
}
