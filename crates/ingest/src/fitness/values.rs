//! Reading one cell: full-width forms, "not tested" spellings, units and the many ways a long-run
//! time is written.
use std::borrow::Cow;

use wuyu_standards::FitnessItem;

use super::fields::FitnessField;

/// Full-width digits and punctuation as ASCII, spaces removed. Borrowed when already clean.
pub(super) fn normalize_value(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if s.bytes().all(|b| b.is_ascii() && b != b' ') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '．' => '.',
                '：' => ':',
                '－' | '−' => '-',
                '＋' => '+',
                _ => c,
            })
            .collect(),
    )
}

/// Spellings of "no result".
const NOT_TESTED: [&str; 9] = ["", "-", "—", "/", "缺测", "未测", "缺考", "免测", "免考"];

/// A plain decimal: optional sign, digits, optional fraction. No exponent, `inf`, `NaN` or
/// thousands separators, which `str::parse::<f64>` would take.
fn plain_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if ok { s.parse().ok() } else { None }
}

/// `s` without one of `suffixes` (ASCII case-insensitive), and whether one was removed.
fn strip_unit<'a>(s: &'a str, suffixes: &[&str]) -> (&'a str, bool) {
    for suf in suffixes {
        if s.len() >= suf.len() {
            let split = s.len() - suf.len();
            if s.is_char_boundary(split) && s[split..].eq_ignore_ascii_case(suf) {
                return (&s[..split], true);
            }
        }
    }
    (s, false)
}

const MINUTE_MARKS: [char; 5] = ['\'', '′', '’', '‘', '分'];
const SECOND_MARKS: [&str; 7] = ["''", "\"", "″", "”", "“", "秒", "s"];

/// Seconds of a long-run time, or the Chinese reason it is not accepted.
fn parse_long_time(item: FitnessItem, s: &str) -> Result<f64, String> {
    let name = item.name_zh();
    let advice = "请写成 分'秒\"（如 3'40\"）、分:秒（如 3:40）或秒数（如 220）";
    // Minutes and seconds with marks: 3'40", 3分40秒, 3'40.
    if let Some(i) = s.find(MINUTE_MARKS) {
        let mark_len = s[i..].chars().next().map_or(1, char::len_utf8);
        let (min, rest) = (&s[..i], &s[i + mark_len..]);
        let (sec, _) = strip_unit(rest, &SECOND_MARKS);
        return match (min.parse::<u32>(), seconds_part(sec, false)) {
            (Ok(m), Some(sec)) if min.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(f64::from(m) * 60.0 + sec)
            }
            _ => Err(format!("{name}“{s}”无法识别，{advice}")),
        };
    }
    // Clocks: m:ss, h:mm:ss.
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        let whole = |p: &str| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        let secs = match parts.as_slice() {
            [m, sec] => whole(m).zip(seconds_part(sec, true)).map(|(m, s)| {
                let v = f64::from(m) * 60.0 + s;
                (v, false)
            }),
            [h, m, sec] if m.len() == 2 => whole(h)
                .zip(whole(m).filter(|&m| m < 60))
                .zip(seconds_part(sec, true))
                .map(|((h, m), s)| (f64::from(h) * 3600.0 + f64::from(m) * 60.0 + s, h > 0)),
            _ => None,
        };
        return match secs {
            Some((_, true)) => Err(format!(
                "{name}“{s}”是 {s} 小时:分:秒，不可能。Excel 会把输入的 3:40 当成 3 小时 40 分；请把该列设为“文本”格式后重新输入，或写成 3'40\" 或秒数 220"
            )),
            Some((v, false)) => Ok(v),
            None => Err(format!("{name}“{s}”无法识别，{advice}")),
        };
    }
    // Seconds with a unit.
    let (num, unit) = strip_unit(s, &SECOND_MARKS);
    match plain_number(num) {
        Some(v) if unit || v >= 60.0 => Ok(v),
        Some(_) => Err(format!(
            "{name}“{s}”有歧义：不带单位的数小于 60，可能是“分.秒”（如 3.40 表示 3 分 40 秒），也可能是秒数。wuyu 不猜测，{advice}"
        )),
        None => Err(format!("{name}“{s}”无法识别，{advice}")),
    }
}

/// The seconds of a time: 0–59 with 1–2 digits (exactly 2 in a clock), optional decimals.
fn seconds_part(s: &str, clock: bool) -> Option<f64> {
    let int = s.split_once('.').map_or(s, |(i, _)| i);
    let len_ok = if clock {
        int.len() == 2
    } else {
        (1..=2).contains(&int.len())
    };
    if !len_ok || s.starts_with(['-', '+']) {
        return None;
    }
    plain_number(s).filter(|&v| v < 60.0)
}

/// Parses one cell of a field: `Ok(None)` for "not tested", the value in the field's unit, or
/// the Chinese reason it cannot be read. Forms accepted per field are in the module docs.
pub fn parse_field_value(field: FitnessField, text: &str) -> Result<Option<f64>, String> {
    let s = normalize_value(text);
    let s = s.as_ref();
    if NOT_TESTED.contains(&s) {
        return Ok(None);
    }
    use FitnessItem as I;
    let (name, units): (&str, &[&str]) = match field {
        FitnessField::Item(item @ (I::Run800m | I::Run1000m | I::Shuttle50x8)) => {
            return parse_long_time(item, s).map(Some);
        }
        FitnessField::Item(I::Run50m) => {
            if s.contains(MINUTE_MARKS) || s.contains(':') {
                return Err(format!("50米跑“{s}”无法识别：50米跑应填秒数，如 9.8"));
            }
            ("50米跑", &["秒", "s", "\"", "″", "”"])
        }
        FitnessField::Item(item @ (I::RopeSkip1min | I::SitUp1min | I::PullUp)) => {
            let (num, _) = strip_unit(s, &["次", "个"]);
            return match plain_number(num) {
                Some(v) if v >= 0.0 && v.fract() == 0.0 => Ok(Some(v)),
                Some(v) if v < 0.0 => Err(format!("{}“{s}”不可能：次数不能为负", item.name_zh())),
                Some(_) => Err(format!("{}“{s}”无效：次数应为整数", item.name_zh())),
                None => Err(format!(
                    "{}“{s}”无法识别，应为整数次数，如 35",
                    item.name_zh()
                )),
            };
        }
        FitnessField::Item(I::VitalCapacity) => ("肺活量", &["毫升", "ml"]),
        FitnessField::Item(item @ (I::SitAndReach | I::StandingLongJump)) => {
            (item.name_zh(), &["厘米", "cm"])
        }
        FitnessField::Item(I::Bmi) => return Err("体重指数由身高和体重计算".to_string()),
        FitnessField::HeightCm => ("身高", &["厘米", "cm"]),
        FitnessField::WeightKg => ("体重", &["千克", "公斤", "kg"]),
        FitnessField::Acuity(_) => (field.header_zh(), &[]),
        FitnessField::Sphere(_)
        | FitnessField::Cylinder(_)
        | FitnessField::SphericalEquivalent(_) => (field.header_zh(), &["d"]),
        FitnessField::Grade | FitnessField::GradeCode | FitnessField::Sex => {
            return Err("年级、性别不是数值".to_string());
        }
    };
    let (num, _) = strip_unit(s, units);
    plain_number(num)
        .map(Some)
        .ok_or_else(|| format!("{name}“{s}”无法识别，应为数字"))
}
