/*!
The five roster sheet kinds, their columns and the header spellings accepted for each column.

One table drives reading ([`map_headers`]), sheet recognition ([`SheetKind::from_sheet_name`],
[`SheetKind::from_headers`]) and the template (headers and header notes), so the template can
never ask for a column the reader does not know.
*/

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetKind {
    Schools,
    Classes,
    Students,
    Teachers,
    Assignments,
}

/// One logical column of a roster sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    SchoolCode,
    SchoolName,
    Stage,
    Location,
    SchoolGroup,
    Grade,
    ClassName,
    StudentNo,
    Name,
    Sex,
    BirthDate,
    IdCardNo,
    EthnicityCode,
    EthnicityName,
    StaffNo,
    Subject,
    Share,
    ClassType,
    FormerNames,
    StudentStatus,
    StatusDate,
    Flags,
    TeacherSubject,
    Employment,
    BirthYear,
}

const FIELD_COUNT: usize = Field::BirthYear as usize + 1;

/// A column as the reader accepts it and the template writes it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: Field,
    /// The header the template writes and error messages use when the column is missing.
    pub header: &'static str,
    /// Accepted headers after [`normalize_header`] (the glossary code name is one of them).
    pub aliases: &'static [&'static str],
    /// A row without a value here is rejected. (学校代码 may instead come from
    /// [`RosterOptions::default_school`](crate::RosterOptions::default_school).)
    pub required: bool,
    /// Whether the template includes this column (民族代码 and 民族 are alternatives; the
    /// template offers only 民族).
    pub in_template: bool,
    /// Shown as the header's note in the template.
    pub note_zh: &'static str,
}

const fn col(
    field: Field,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    note_zh: &'static str,
) -> Column {
    Column {
        field,
        header,
        aliases,
        required,
        in_template: true,
        note_zh,
    }
}

const SCHOOL_CODE: Column = col(
    Field::SchoolCode,
    "学校代码",
    &["学校代码", "学校标识码", "学校编码", "school_code"],
    true,
    "必填。区教育局分配的学校代码（如教育部学校标识码），只能含字母、数字、- 和 _，最多 20 位。本列为文本格式，开头的 0 不会丢失。",
);
const GRADE: Column = col(
    Field::Grade,
    "年级",
    &["年级", "grade"],
    true,
    "必填。1–12，或 一年级…九年级、初一…初三、高一…高三，可从下拉列表选择。",
);
const CLASS_NAME: Column = col(
    Field::ClassName,
    "班级",
    &["班级", "班级名称", "班名", "class", "class_name"],
    true,
    "必填。班级名称，如 3班；学生表、任课表中的写法要与班级表完全一致。",
);

const SCHOOLS: [Column; 5] = [
    SCHOOL_CODE,
    col(
        Field::SchoolName,
        "学校名称",
        &["学校名称", "学校名", "校名", "school_name", "name"],
        true,
        "必填。学校全称，如 某某区实验小学。",
    ),
    col(
        Field::Stage,
        "学段",
        &["学段", "办学类型", "stage"],
        true,
        "必填。小学 / 初中 / 九年一贯制 / 高中 / 完全中学，可从下拉列表选择。",
    ),
    col(
        Field::Location,
        "城乡",
        &["城乡", "城乡类别", "城乡分类", "所在地", "location"],
        true,
        "必填。城区 / 农村，可从下拉列表选择。",
    ),
    col(
        Field::SchoolGroup,
        "教育集团",
        &["教育集团", "所属教育集团", "集团", "school_group"],
        false,
        "选填。所属教育集团的名称；不属于集团的学校留空。",
    ),
];

const CLASSES: [Column; 4] = [
    SCHOOL_CODE,
    GRADE,
    CLASS_NAME,
    col(
        Field::ClassType,
        "班级类型",
        &["班级类型", "班型", "班级类别", "class_type"],
        false,
        "选填。普通班 / 实验班 / 重点班 / 特长班 / 其他，可从下拉列表选择；不填时新班级为普通班，已有班级保持原类型。同一年级同类型的班级互为平行班（同类班级）。",
    ),
];

const STUDENTS: [Column; 14] = [
    SCHOOL_CODE,
    GRADE,
    CLASS_NAME,
    col(
        Field::StudentNo,
        "学籍号",
        &["学籍号", "全国学籍号", "学生学籍号", "student_no"],
        true,
        "必填。全国学籍号：6–30 位英文字母或数字（如 G 加身份证号），同一文件中不能重复。本列为文本格式，请勿改成数字格式。",
    ),
    col(
        Field::Name,
        "姓名",
        &["姓名", "学生姓名", "name"],
        true,
        "必填。学生姓名，最多 50 个字。",
    ),
    col(
        Field::Sex,
        "性别",
        &["性别", "sex", "gender"],
        true,
        "必填。男 / 女（也可填 1 / 2），可从下拉列表选择。",
    ),
    col(
        Field::BirthDate,
        "出生日期",
        &["出生日期", "出生年月日", "生日", "birth_date"],
        true,
        "必填。写成 2015-09-01（也可 2015/9/1、20150901、2015年9月1日）。填了身份证号时须与其中的出生日期一致。",
    ),
    col(
        Field::IdCardNo,
        "身份证号",
        &[
            "身份证号",
            "身份证号码",
            "身份证件号",
            "公民身份号码",
            "id_card_no",
        ],
        false,
        "选填。18 位居民身份证号，末位可以是 X。本列为文本格式：身份证号若存成数字，Excel 只保留 15 位，末尾几位会变成 0 且无法恢复。",
    ),
    Column {
        in_template: false,
        ..col(
            Field::EthnicityCode,
            "民族代码",
            &["民族代码", "ethnicity", "ethnicity_code"],
            false,
            "选填。GB/T 3304 两位代码：01–56，97 其他，98 外国血统中国籍人士。",
        )
    },
    col(
        Field::EthnicityName,
        "民族",
        &["民族"],
        false,
        "选填。民族名称（如 汉族、回族）或 GB/T 3304 两位代码（如 01）。",
    ),
    col(
        Field::FormerNames,
        "曾用名",
        &["曾用名", "原名", "former_names"],
        false,
        "选填。学生以前使用过的姓名，多个用 、 分隔（如 张小三、张叁）；成绩表等文件中的姓名与现名或曾用名一致即可。已有学生：有本列时以本列为准（留空表示没有曾用名），没有本列时保持原有记录。",
    ),
    col(
        Field::StudentStatus,
        "学籍状态",
        &["学籍状态", "在籍状态", "学生状态", "status"],
        false,
        "选填。在读 / 转出 / 休学 / 辍学，可从下拉列表选择；不填时新学生为在读，已有学生保持原状态。",
    ),
    col(
        Field::StatusDate,
        "状态日期",
        &["状态日期", "变动日期", "异动日期", "status_date"],
        false,
        "学籍状态为 转出 / 休学 / 辍学 时必填：状态生效的日期，写成 2025-03-01。",
    ),
    col(
        Field::Flags,
        "特殊群体",
        &["特殊群体", "特殊群体类别", "flags"],
        false,
        "选填，敏感信息。残疾 / 留守 / 困境，多项用 、 分隔；只有区、校管理员和班主任能看到，每次查看都会记录。已有学生：有本列时以本列为准（留空表示不属于特殊群体），没有本列时保持原有记录。",
    ),
];

const TEACHERS: [Column; 7] = [
    SCHOOL_CODE,
    col(
        Field::StaffNo,
        "工号",
        &["工号", "教师工号", "staff_no"],
        true,
        "必填。教师工号，同一学校内不能重复。本列为文本格式，开头的 0 不会丢失。",
    ),
    col(
        Field::Name,
        "姓名",
        &["姓名", "教师姓名", "name"],
        true,
        "必填。教师姓名。",
    ),
    col(
        Field::Sex,
        "性别",
        &["性别", "sex", "gender"],
        false,
        "选填。男 / 女，可从下拉列表选择。",
    ),
    col(
        Field::TeacherSubject,
        "任教学科",
        &["任教学科", "所教学科", "主教学科", "teacher_subject"],
        false,
        "选填。教师的主教学科，如 语文、体育、音乐、美术、心理健康；不填时保持原有记录。",
    ),
    col(
        Field::Employment,
        "专兼职",
        &["专兼职", "专职/兼职", "专职兼职", "employment"],
        false,
        "选填。专职 / 兼职，可从下拉列表选择；不填时保持原有记录。",
    ),
    col(
        Field::BirthYear,
        "出生年份",
        &["出生年份", "出生年", "birth_year"],
        false,
        "选填。四位年份，如 1985；不填时保持原有记录。",
    ),
];

const ASSIGNMENTS: [Column; 6] = [
    SCHOOL_CODE,
    col(
        Field::StaffNo,
        "工号",
        &["工号", "教师工号", "staff_no"],
        true,
        "必填。任课教师的工号，须与教师表一致。",
    ),
    GRADE,
    CLASS_NAME,
    col(
        Field::Subject,
        "科目",
        &["科目", "学科", "subject"],
        true,
        "必填。科目名称，如 语文、数学、体育与健康；班主任也在本表登记，科目写“班主任”。",
    ),
    col(
        Field::Share,
        "比例",
        &["比例", "任课比例", "share"],
        false,
        "选填。几位教师合教同一班同一科时填各自的比例，如 50% 或 0.5；不填表示 1（全部）。",
    ),
];

impl SheetKind {
    /// In the order the template lists them (and a store should insert them).
    pub const ALL: [SheetKind; 5] = [
        SheetKind::Schools,
        SheetKind::Classes,
        SheetKind::Students,
        SheetKind::Teachers,
        SheetKind::Assignments,
    ];

    /// The sheet name the template uses.
    pub fn label_zh(self) -> &'static str {
        match self {
            SheetKind::Schools => "学校",
            SheetKind::Classes => "班级",
            SheetKind::Students => "学生",
            SheetKind::Teachers => "教师",
            SheetKind::Assignments => "任课",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::Schools => &SCHOOLS,
            SheetKind::Classes => &CLASSES,
            SheetKind::Students => &STUDENTS,
            SheetKind::Teachers => &TEACHERS,
            SheetKind::Assignments => &ASSIGNMENTS,
        }
    }

    /// Recognises 学生, 学生名册, 任课教师, students, … . 任课 is tested before 教师 because
    /// "任课教师" names the assignments sheet.
    pub fn from_sheet_name(name: &str) -> Option<SheetKind> {
        let n = name.trim().to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        if has(&["任课", "assignment"]) {
            Some(SheetKind::Assignments)
        } else if has(&["学生", "学籍", "student"]) {
            Some(SheetKind::Students)
        } else if has(&["教师", "老师", "teacher"]) {
            Some(SheetKind::Teachers)
        } else if has(&["班级", "class"]) {
            Some(SheetKind::Classes)
        } else if has(&["学校", "school"]) {
            Some(SheetKind::Schools)
        } else {
            None
        }
    }

    /// Guesses the kind from the header row: the kind with the most recognised columns wins
    /// (at least two; ties go to the kind with fewer columns, e.g. 学校代码 + 年级 + 班级 is
    /// a class list, not a student list missing most of its columns).
    pub fn from_headers<S: AsRef<str>>(headers: &[S]) -> Option<SheetKind> {
        let normalized: Vec<String> = headers
            .iter()
            .map(|h| normalize_header(h.as_ref()))
            .collect();
        let score = |kind: SheetKind| {
            kind.columns()
                .iter()
                .filter(|c| normalized.iter().any(|h| c.aliases.contains(&h.as_str())))
                .count()
        };
        let mut best: Option<(SheetKind, usize)> = None;
        for kind in [
            SheetKind::Classes,
            SheetKind::Teachers,
            SheetKind::Schools,
            SheetKind::Assignments,
            SheetKind::Students,
        ] {
            let s = score(kind);
            if s >= 2 && best.is_none_or(|(_, b)| s > b) {
                best = Some((kind, s));
            }
        }
        best.map(|(k, _)| k)
    }
}

/// Header text as compared with aliases: trimmed, without the `*` that marks required
/// columns, without a trailing note in brackets (出生日期(yyyy-mm-dd), 性别（男/女）), without
/// inner spaces, ASCII lower-cased.
pub fn normalize_header(h: &str) -> String {
    let t = h.trim().trim_matches(|c| c == '*' || c == '＊');
    let t = match t.find(['(', '（', '[', '【']) {
        Some(0) | None => t,
        Some(i) => &t[..i],
    };
    t.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which column index holds each field of a sheet.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    cols: [Option<usize>; FIELD_COUNT],
}

impl ColumnMap {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.cols[field as usize]
    }
}

/// The result of matching a header row against a sheet kind.
#[derive(Debug, Clone, Default)]
pub struct HeaderMatch {
    pub map: ColumnMap,
    /// Columns of the kind with no header (required or not).
    pub missing: Vec<&'static Column>,
    /// `(later, first)` header indexes that name the same field; the first one is read.
    pub duplicates: Vec<(usize, usize)>,
}

/// Maps a header row onto the columns of `kind`. Unknown headers (备注, 联系电话, …) are ignored.
pub fn map_headers<S: AsRef<str>>(kind: SheetKind, headers: &[S]) -> HeaderMatch {
    let mut m = HeaderMatch::default();
    for (i, h) in headers.iter().enumerate() {
        let h = normalize_header(h.as_ref());
        if h.is_empty() {
            continue;
        }
        if let Some(c) = kind
            .columns()
            .iter()
            .find(|c| c.aliases.contains(&h.as_str()))
        {
            match m.map.cols[c.field as usize] {
                Some(first) => m.duplicates.push((i, first)),
                None => m.map.cols[c.field as usize] = Some(i),
            }
        }
    }
    m.missing = kind
        .columns()
        .iter()
        .filter(|c| m.map.get(c.field).is_none())
        .collect();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_normalised_before_matching() {
        assert_eq!(normalize_header(" *出生日期(yyyy-mm-dd) "), "出生日期");
        assert_eq!(normalize_header("性别（男/女）"), "性别");
        assert_eq!(normalize_header("学 籍 号"), "学籍号");
        assert_eq!(normalize_header("Student_No"), "student_no");
    }

    #[test]
    fn sheet_names_and_headers_pick_the_kind() {
        assert_eq!(
            SheetKind::from_sheet_name("任课教师"),
            Some(SheetKind::Assignments)
        );
        assert_eq!(
            SheetKind::from_sheet_name("学生名册"),
            Some(SheetKind::Students)
        );
        assert_eq!(SheetKind::from_sheet_name("Sheet1"), None);
        assert_eq!(
            SheetKind::from_headers(&["学校代码", "年级", "班级"]),
            Some(SheetKind::Classes)
        );
        assert_eq!(
            SheetKind::from_headers(&["学校代码", "年级", "班级", "姓名", "性别", "出生日期"]),
            Some(SheetKind::Students)
        );
        assert_eq!(
            SheetKind::from_headers(&["工号", "年级", "班级", "学科"]),
            Some(SheetKind::Assignments)
        );
        assert_eq!(
            SheetKind::from_headers(&["学校代码", "工号", "姓名", "性别"]),
            Some(SheetKind::Teachers)
        );
        assert_eq!(
            SheetKind::from_headers(&["school_code", "name", "stage", "location"]),
            Some(SheetKind::Schools)
        );
        assert_eq!(SheetKind::from_headers(&["备注", "姓名"]), None);
    }

    #[test]
    fn 学籍辅号_is_not_学籍号() {
        let m = map_headers(SheetKind::Students, &["学籍辅号", "学生学籍号"]);
        assert_eq!(m.map.get(Field::StudentNo), Some(1));
    }

    #[test]
    fn every_template_column_is_readable_by_its_own_header() {
        for kind in SheetKind::ALL {
            let headers: Vec<&str> = kind.columns().iter().map(|c| c.header).collect();
            let m = map_headers(kind, &headers);
            assert!(m.missing.is_empty(), "{kind:?}");
            assert!(m.duplicates.is_empty(), "{kind:?}");
        }
    }
}
