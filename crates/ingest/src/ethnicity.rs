/*!
民族 names ↔ GB/T 3304 codes, so a 民族 column may say 汉族 instead of 01. The domain type
[`EthnicityCode`] validates codes; this module only maps names onto them.
*/
use wuyu_domain::EthnicityCode;

/// GB/T 3304-1991 in code order: 01–56, then 97 and 98.
const NAMES: [(u8, &str); 58] = [
    (1, "汉族"),
    (2, "蒙古族"),
    (3, "回族"),
    (4, "藏族"),
    (5, "维吾尔族"),
    (6, "苗族"),
    (7, "彝族"),
    (8, "壮族"),
    (9, "布依族"),
    (10, "朝鲜族"),
    (11, "满族"),
    (12, "侗族"),
    (13, "瑶族"),
    (14, "白族"),
    (15, "土家族"),
    (16, "哈尼族"),
    (17, "哈萨克族"),
    (18, "傣族"),
    (19, "黎族"),
    (20, "傈僳族"),
    (21, "佤族"),
    (22, "畲族"),
    (23, "高山族"),
    (24, "拉祜族"),
    (25, "水族"),
    (26, "东乡族"),
    (27, "纳西族"),
    (28, "景颇族"),
    (29, "柯尔克孜族"),
    (30, "土族"),
    (31, "达斡尔族"),
    (32, "仫佬族"),
    (33, "羌族"),
    (34, "布朗族"),
    (35, "撒拉族"),
    (36, "毛南族"),
    (37, "仡佬族"),
    (38, "锡伯族"),
    (39, "阿昌族"),
    (40, "普米族"),
    (41, "塔吉克族"),
    (42, "怒族"),
    (43, "乌孜别克族"),
    (44, "俄罗斯族"),
    (45, "鄂温克族"),
    (46, "德昂族"),
    (47, "保安族"),
    (48, "裕固族"),
    (49, "京族"),
    (50, "塔塔尔族"),
    (51, "独龙族"),
    (52, "鄂伦春族"),
    (53, "赫哲族"),
    (54, "门巴族"),
    (55, "珞巴族"),
    (56, "基诺族"),
    (97, "其他"),
    (98, "外国血统中国籍人士"),
];

/// Older or variant spellings still found in school records.
const ALIASES: [(u8, &str); 6] = [
    (36, "毛难族"),
    (43, "乌兹别克族"),
    (46, "崩龙族"),
    (97, "其他民族"),
    (98, "外国血统"),
    (98, "外国血统中国籍"),
];

/// The official name for a code, e.g. 1 → 汉族.
pub fn ethnicity_name(code: EthnicityCode) -> &'static str {
    NAMES
        .iter()
        .find(|(c, _)| *c == code.get())
        .map(|(_, n)| *n)
        .expect("every valid EthnicityCode has a name")
}

/// Reads a 民族 cell: an official name (汉族), the name without 族 (汉), a variant spelling
/// (崩龙族), or a numeric code (01).
pub fn ethnicity_from_name(s: &str) -> Option<EthnicityCode> {
    let t = s.trim();
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return EthnicityCode::parse(t).ok();
    }
    let code = NAMES
        .iter()
        .chain(ALIASES.iter())
        .find(|(_, n)| *n == t || n.strip_suffix('族') == Some(t))
        .map(|(c, _)| *c)?;
    EthnicityCode::new(code).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_name_and_round_trips() {
        for (code, name) in NAMES {
            let c = EthnicityCode::new(code).unwrap();
            assert_eq!(ethnicity_name(c), name);
            assert_eq!(ethnicity_from_name(name), Some(c));
        }
        assert_eq!(NAMES.len(), 58);
    }

    #[test]
    fn short_names_variants_and_codes() {
        assert_eq!(ethnicity_from_name("汉").unwrap().get(), 1);
        assert_eq!(ethnicity_from_name(" 回族 ").unwrap().get(), 3);
        assert_eq!(ethnicity_from_name("崩龙族").unwrap().get(), 46);
        assert_eq!(ethnicity_from_name("外国血统").unwrap().get(), 98);
        assert_eq!(ethnicity_from_name("08").unwrap().get(), 8);
        assert_eq!(ethnicity_from_name("火星族"), None);
        assert_eq!(ethnicity_from_name("57"), None);
        assert_eq!(ethnicity_from_name(""), None);
    }
}
