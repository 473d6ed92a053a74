/*!
Bytes → text for CSV files.

Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK, "CSV UTF-8" with a BOM, and
"Unicode 文本" as UTF-16 with a BOM. So: strip a UTF-8 BOM; keep valid UTF-8; decode UTF-16 when
it has a BOM; otherwise decode as GB18030 (a superset of GBK). Nothing is replaced silently: a
byte that fits none of these fails the file with a message naming the line.
*/
use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::IngestError;

/// Name reported for UTF-8 input (with or without BOM).
pub const UTF_8: &str = "UTF-8";
/// Name reported for GB18030 / GBK input.
pub const GB_18030: &str = "GB18030";
/// Name reported for UTF-16 input (either byte order).
pub const UTF_16: &str = "UTF-16";

/// Decoded text and the encoding it was read as (one of [`UTF_8`], [`GB_18030`], [`UTF_16`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Decodes a CSV/TXT file. UTF-8 input is borrowed, not copied, so a large upload costs one
/// validation pass.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, IngestError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        // A UTF-8 BOM is a promise: invalid bytes after it mean damage, not another encoding.
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok(borrowed(text, UTF_8)),
            Err(e) => Err(IngestError::Malformed {
                encoding: UTF_8,
                line: line_of(rest, e.valid_up_to()),
            }),
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, UTF_16LE);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, UTF_16BE);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(borrowed(text, UTF_8)),
        Err(e) => {
            let prefix = &bytes[..e.valid_up_to()];
            // GBK text almost never forms several valid 3-byte UTF-8 sequences before the first
            // invalid byte; UTF-8 Chinese text is made of them. So a valid prefix with Chinese
            // in it means a damaged UTF-8 file, which GB18030 would silently garble.
            if three_byte_chars(prefix) >= 4 {
                return Err(IngestError::Malformed {
                    encoding: UTF_8,
                    line: line_of(bytes, e.valid_up_to()),
                });
            }
            decode_gb18030(bytes)
        }
    }
}

fn borrowed<'a>(text: &'a str, encoding: &'static str) -> Decoded<'a> {
    Decoded {
        text: Cow::Borrowed(text),
        encoding,
    }
}

fn decode_gb18030(bytes: &[u8]) -> Result<Decoded<'static>, IngestError> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or(IngestError::TooLarge)?;
    let mut text = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(Decoded {
            text: Cow::Owned(text),
            encoding: GB_18030,
        }),
        DecoderResult::Malformed(bad, after) => {
            let at = read.saturating_sub(usize::from(bad) + usize::from(after));
            Err(IngestError::Undecodable {
                line: line_of(bytes, at),
            })
        }
        // The buffer was sized for the worst case, so this cannot happen; treat it as damage.
        DecoderResult::OutputFull => Err(IngestError::Undecodable {
            line: line_of(bytes, read),
        }),
    }
}

fn decode_utf16(
    bytes: &[u8],
    encoding: &'static Encoding,
) -> Result<Decoded<'static>, IngestError> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Decoded {
            text: Cow::Owned(text.into_owned()),
            encoding: UTF_16,
        }),
        None => {
            // Find the line by decoding with replacement and locating the first U+FFFD.
            let (lossy, _) = encoding.decode_without_bom_handling(bytes);
            let line = lossy
                .find('\u{FFFD}')
                .map_or(1, |at| lossy[..at].matches('\n').count() + 1);
            Err(IngestError::Malformed {
                encoding: UTF_16,
                line,
            })
        }
    }
}

/// 1-based line number of byte offset `at` in ASCII-compatible text.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Number of 3-byte characters (most CJK) in valid UTF-8, counted by their lead bytes.
fn three_byte_chars(valid: &[u8]) -> usize {
    valid.iter().filter(|&&b| (0xE0..0xF0).contains(&b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_count_newlines_before_the_offset() {
        assert_eq!(line_of(b"a\nb\nc", 0), 1);
        assert_eq!(line_of(b"a\nb\nc", 2), 2);
        assert_eq!(line_of(b"a\nb\nc", 4), 3);
    }

    #[test]
    fn damaged_utf8_with_chinese_is_not_read_as_gbk() {
        let mut bytes = "学校代码,年级,班级\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xFF\n");
        match decode(&bytes) {
            Err(IngestError::Malformed { encoding, line }) => {
                assert_eq!(encoding, UTF_8);
                assert_eq!(line, 2);
            }
            other => panic!("{other:?}"),
        }
    }
}
