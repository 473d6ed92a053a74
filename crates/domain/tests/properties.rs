//! Property tests of the identifier types.
use proptest::prelude::*;
use wuyu_domain::{Grade, IdCardNo, StudentNo, parse_date};

fn first17() -> impl Strategy<Value = String> {
    // Region 110000–659999, a real date 1990–2020, any sequence.
    (
        110_000u32..660_000,
        1990i32..2021,
        1u8..13,
        1u8..29,
        0u16..1000,
    )
        .prop_map(|(r, y, m, d, q)| format!("{r:06}{y:04}{m:02}{d:02}{q:03}"))
}

proptest! {
    #[test]
    fn id_card_with_computed_check_digit_always_parses(f in first17()) {
        let b: &[u8; 17] = f.as_bytes().try_into().unwrap();
        let id = format!("{f}{}", IdCardNo::check_char(b));
        let parsed = IdCardNo::parse(&id).unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
        let d = parsed.birth_date().unwrap();
        prop_assert_eq!(format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day()), &f[6..14]);
    }

    #[test]
    fn any_single_digit_change_is_caught(f in first17(), pos in 0usize..17, delta in 1u8..10) {
        let b: &[u8; 17] = f.as_bytes().try_into().unwrap();
        let good = format!("{f}{}", IdCardNo::check_char(b));
        let mut bytes = good.into_bytes();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        let bad = String::from_utf8(bytes).unwrap();
        // MOD 11-2 detects every single-digit substitution.
        prop_assert!(IdCardNo::parse(&bad).is_err());
    }

    #[test]
    fn student_no_parse_is_idempotent(s in "[A-Za-z0-9]{6,30}") {
        let a = StudentNo::parse(&s).unwrap();
        let b = StudentNo::parse(a.as_str()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn student_no_never_accepts_whitespace_inside(a in "[A-Z0-9]{3,10}", b in "[A-Z0-9]{3,10}") {
        let joined = format!("{a} {b}");
        prop_assert!(StudentNo::parse(&joined).is_err());
    }

    #[test]
    fn grade_parse_accepts_exactly_1_to_12(n in 0u16..300) {
        prop_assert_eq!(Grade::parse(&n.to_string()).is_ok(), (1..=12).contains(&n));
    }

    #[test]
    fn dates_round_trip_through_iso(y in 1990i32..2030, m in 1u8..13, d in 1u8..32) {
        let iso = format!("{y:04}-{m:02}-{d:02}");
        let slash = format!("{y}/{m}/{d}");
        match parse_date(&iso) {
            Ok(date) => {
                prop_assert_eq!(parse_date(&slash).unwrap(), date);
                prop_assert_eq!(date.to_string(), iso);
            }
            Err(_) => prop_assert!(parse_date(&slash).is_err()),
        }
    }
}
