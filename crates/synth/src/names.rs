//! Chinese personal names and place names.
//!
//! Surnames are weighted by their approximate share of the population (the 2020 census order:
//! 王 李 张 刘 陈 …), so a class looks like a real class: several 王 and 李, the occasional 欧阳.
//! Given names are one or two characters from lists typical of children born 2008–2018 (and an
//! older-style list for teachers).
use std::sync::OnceLock;

use wuyu_domain::{PersonName, Sex};

use crate::rng::{Rng, Weighted};

/// (surname, weight in units of 0.01 % of the population).
// At most 256 entries: a drawn surname is stored as a u8.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 710),
    ("李", 700),
    ("张", 680),
    ("刘", 540),
    ("陈", 470),
    ("杨", 320),
    ("黄", 230),
    ("赵", 220),
    ("吴", 200),
    ("周", 190),
    ("徐", 170),
    ("孙", 150),
    ("马", 140),
    ("朱", 130),
    ("胡", 130),
    ("郭", 120),
    ("何", 120),
    ("林", 110),
    ("高", 110),
    ("罗", 100),
    ("郑", 90),
    ("梁", 90),
    ("谢", 80),
    ("宋", 80),
    ("唐", 80),
    ("许", 70),
    ("韩", 70),
    ("冯", 70),
    ("邓", 70),
    ("曹", 70),
    ("彭", 60),
    ("曾", 60),
    ("肖", 60),
    ("田", 60),
    ("董", 50),
    ("袁", 50),
    ("潘", 50),
    ("于", 50),
    ("蒋", 50),
    ("蔡", 50),
    ("余", 50),
    ("杜", 50),
    ("叶", 50),
    ("程", 50),
    ("苏", 40),
    ("魏", 40),
    ("吕", 40),
    ("丁", 40),
    ("任", 40),
    ("沈", 40),
    ("姚", 40),
    ("卢", 40),
    ("姜", 40),
    ("崔", 30),
    ("钟", 30),
    ("谭", 30),
    ("陆", 30),
    ("汪", 30),
    ("范", 30),
    ("金", 30),
    ("石", 30),
    ("廖", 30),
    ("贾", 30),
    ("夏", 30),
    ("韦", 30),
    ("付", 30),
    ("方", 30),
    ("白", 20),
    ("邹", 20),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 20),
    ("江", 20),
    ("尹", 20),
    ("薛", 20),
    ("闫", 20),
    ("段", 20),
    ("雷", 20),
    ("侯", 20),
    ("龙", 20),
    ("史", 20),
    ("陶", 20),
    ("黎", 20),
    ("贺", 20),
    ("顾", 20),
    ("毛", 20),
    ("郝", 20),
    ("龚", 20),
    ("邵", 20),
    ("万", 20),
    ("钱", 20),
    ("严", 20),
    ("覃", 10),
    ("武", 10),
    ("戴", 10),
    ("莫", 10),
    ("孔", 10),
    ("向", 10),
    ("汤", 10),
    ("欧阳", 5),
    ("上官", 1),
    ("司马", 1),
    ("诸葛", 1),
];

const _: () = assert!(SURNAMES.len() <= 256);

const BOY_CHARS: &[char] = &[
    '浩', '宇', '轩', '然', '博', '文', '俊', '杰', '泽', '睿', '皓', '晨', '阳', '辰', '铭', '鑫',
    '航', '宸', '昊', '天', '瑞', '磊', '鹏', '毅', '明', '伟', '强', '凯', '翔', '豪', '成', '志',
    '峰', '奕', '锦', '煜', '霖', '烨', '佑', '朗', '哲', '宁', '骏', '涛', '彬', '鸿', '楷', '源',
    '逸', '航', '诚', '川', '恒', '旭', '晟', '亮', '健', '硕', '帆', '远',
];

const GIRL_CHARS: &[char] = &[
    '欣', '怡', '萱', '雨', '婷', '诗', '琪', '佳', '思', '悦', '馨', '雅', '琳', '静', '妍', '彤',
    '晴', '语', '紫', '瑶', '若', '菲', '梦', '汐', '月', '玥', '颖', '雪', '蕊', '媛', '茜', '芸',
    '珊', '婉', '可', '琦', '蓉', '楠', '嫣', '洁', '慧', '梅', '岚', '璐', '晗', '菲', '娜', '丹',
    '倩', '婧', '薇', '露', '芮', '钰', '涵', '桐', '妮', '莹', '笑', '心',
];

/// Characters used for both sexes, mostly as the first of two given-name characters.
const SHARED_CHARS: &[char] = &[
    '子', '一', '梓', '嘉', '安', '沐', '星', '清', '乐', '书', '语', '思', '雨', '文', '俊', '欣',
    '子', '可', '晨', '依', '若', '亦', '以', '宇', '家', '诗', '天', '明', '佳', '辰',
];

/// Teachers were born 1965–2002: names of that era.
const MAN_CHARS: &[char] = &[
    '建', '国', '华', '伟', '军', '勇', '强', '平', '斌', '波', '明', '林', '峰', '刚', '涛', '杰',
    '磊', '超', '鹏', '辉', '俊', '志', '海', '东', '振', '晓', '立', '文', '永', '春',
];

const WOMAN_CHARS: &[char] = &[
    '丽', '芳', '敏', '燕', '霞', '静', '丹', '红', '萍', '玲', '娟', '英', '慧', '莉', '琴', '颖',
    '婷', '洁', '艳', '雪', '梅', '佳', '晓', '春', '秀', '琳', '倩', '蕾', '文', '婧',
];

/// Whose name: children's names and adults' names come from different eras.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    Child,
    Adult,
}

fn surname_table() -> &'static Weighted {
    static T: OnceLock<Weighted> = OnceLock::new();
    T.get_or_init(|| Weighted::new(SURNAMES.iter().map(|&(_, w)| w)))
}

/// A drawn name, kept compact so that drawing (sequential, random) and building the string
/// (parallel, no randomness) can happen in different passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameDraw {
    surname: u8,
    given: [char; 2],
    given_len: u8,
}

impl NameDraw {
    /// Writes the name into `buf` (cleared first) and returns it validated.
    pub fn build(&self, buf: &mut String) -> PersonName {
        buf.clear();
        buf.push_str(SURNAMES[usize::from(self.surname)].0);
        for &c in &self.given[..usize::from(self.given_len)] {
            buf.push(c);
        }
        PersonName::parse(buf).expect("generated names are valid")
    }
}

/// Draws a full name, e.g. 王梓涵 or 李浩.
pub fn draw_name(rng: &mut Rng, sex: Sex, generation: Generation) -> NameDraw {
    let surname = surname_table().sample(rng) as u8;
    let own: &[char] = match (generation, sex) {
        (Generation::Child, Sex::Male) => BOY_CHARS,
        (Generation::Child, Sex::Female) => GIRL_CHARS,
        (Generation::Adult, Sex::Male) => MAN_CHARS,
        (Generation::Adult, Sex::Female) => WOMAN_CHARS,
    };
    // Children today mostly have two-character given names; their parents' generation often one.
    let two = match generation {
        Generation::Child => rng.chance(0.8),
        Generation::Adult => rng.chance(0.55),
    };
    if two {
        let first = if generation == Generation::Child && rng.chance(0.35) {
            *rng.pick(SHARED_CHARS)
        } else {
            *rng.pick(own)
        };
        let mut second = *rng.pick(own);
        // Reduplicated names (婷婷) exist but are rare; redraw once.
        if second == first {
            second = *rng.pick(own);
        }
        NameDraw {
            surname,
            given: [first, second],
            given_len: 2,
        }
    } else {
        NameDraw {
            surname,
            given: [*rng.pick(own), ' '],
            given_len: 1,
        }
    }
}

/// Draws and builds a name in one go.
pub fn person_name(
    rng: &mut Rng,
    sex: Sex,
    generation: Generation,
    buf: &mut String,
) -> PersonName {
    draw_name(rng, sex, generation).build(buf)
}

/// Syllables for town (镇/乡) and village names: two of them make names like 青石, 白沙, 龙泉.
const PLACE_FIRST: &[&str] = &[
    "青", "白", "龙", "桃", "柳", "石", "马", "黄", "金", "凤", "云", "松", "梅", "杨", "新", "大",
    "高", "长", "双", "清", "碧", "红", "沙", "竹", "花", "溪", "岭", "平", "安", "永", "兴", "福",
    "仁", "和", "太", "官", "塘", "丰", "东", "西", "南", "北", "上", "下", "横", "湖", "古", "义",
];

const PLACE_SECOND: &[&str] = &[
    "石", "沙", "泉", "源", "溪", "山", "岭", "坪", "桥", "塘", "湾", "口", "田", "坑", "埠", "岙",
    "河", "湖", "园", "铺", "店", "庄", "港", "堰", "林", "阳", "峰", "坞", "头", "洋", "渡", "浦",
];

/// A two-character place name not yet in `used`; `None` once the combinations run out.
pub fn place_name(rng: &mut Rng, used: &mut std::collections::HashSet<String>) -> Option<String> {
    // Random tries first (variety), then a scan (completeness), so it never loops forever.
    for _ in 0..64 {
        let s = format!("{}{}", rng.pick(PLACE_FIRST), rng.pick(PLACE_SECOND));
        if is_plain_place(&s) && used.insert(s.clone()) {
            return Some(s);
        }
    }
    for a in PLACE_FIRST {
        for b in PLACE_SECOND {
            let s = format!("{a}{b}");
            if is_plain_place(&s) && used.insert(s.clone()) {
                return Some(s);
            }
        }
    }
    None
}

/// Rejects doubled syllables (石石) which no place is called.
fn is_plain_place(s: &str) -> bool {
    let mut c = s.chars();
    c.next() != c.next()
}

/// Names an urban school may carry (followed by 小学 / 中学 / 学校 …).
pub const URBAN_NAMED: &[&str] = &[
    "育才",
    "明德",
    "启明",
    "崇文",
    "文昌",
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "新华路",
    "和平路",
    "朝阳",
    "春晖",
    "博文",
    "行知",
    "求是",
    "长青",
    "凤凰",
    "滨江",
    "湖滨",
    "文澜",
    "翠苑",
    "紫阳",
    "青蓝",
    "育英",
    "天长",
    "胜利",
    "东风",
    "光明",
    "学军",
    "景华",
    "南苑",
    "北苑",
    "锦绣",
    "江南",
    "书香",
    "新桥",
    "星光",
    "钱塘",
    "丹桂",
];

/// Urban areas (街道) for numbered schools: 城关第一小学, 城东第二小学.
pub const URBAN_AREAS: &[&str] = &[
    "城关",
    "城东",
    "城西",
    "城南",
    "城北",
    "新城",
    "江北",
    "湖东",
    "开发区",
    "高新区",
    "东湖",
    "西湖",
    "南湖",
    "北关",
    "新区",
];

/// Chinese numerals for 1..=9999 as used in names (第一, 第十二, 第一百零五).
pub fn zh_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    assert!((1..10_000).contains(&n), "zh_number({n})");
    if n < 10 {
        return D[n as usize].to_string();
    }
    if n < 20 {
        return format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] });
    }
    let units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut pending_zero = false;
    let mut started = false;
    for (u, name) in units {
        let d = (n / u) % 10;
        if d == 0 {
            if started {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        out.push_str(D[d as usize]);
        out.push_str(name);
        started = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (35, "三十五"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
        ];
        for (n, s) in cases {
            assert_eq!(zh_number(n), s, "{n}");
        }
    }

    #[test]
    fn names_are_two_to_four_characters() {
        let mut rng = Rng::new(3);
        let mut buf = String::new();
        for i in 0..2000 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let g = if i % 3 == 0 {
                Generation::Adult
            } else {
                Generation::Child
            };
            let n = person_name(&mut rng, sex, g, &mut buf);
            let len = n.as_str().chars().count();
            assert!((2..=4).contains(&len), "{n}");
        }
    }

    #[test]
    fn place_names_are_unique_until_exhausted() {
        let mut rng = Rng::new(5);
        let mut used = std::collections::HashSet::new();
        let total = PLACE_FIRST.len() * PLACE_SECOND.len();
        let mut n = 0;
        while place_name(&mut rng, &mut used).is_some() {
            n += 1;
        }
        assert_eq!(n, used.len());
        assert!(n > total * 9 / 10);
    }
}
