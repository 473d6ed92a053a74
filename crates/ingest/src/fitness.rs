/*!
Reading fitness results (国家学生体质健康标准) from a sheet, in either of two layouts, into
[`FitnessInput`]s for [`wuyu_standards::score_record`], with row-level errors and warnings in
Chinese. No scoring and no database here: the reader's job is to turn what a PE teacher typed
into exact numbers, or to say precisely why it cannot.

# Layouts

Headers are matched after [`normalize_header`] (trimmed, `*` and a trailing `(单位)` dropped,
spaces removed, ASCII lower-cased), so `身高(cm)` is `身高` and `Run_50m` is `run_50m`. Both
layouts may be mixed in one sheet; other columns are ignored here and passed through by callers.

| field | national template header | code-name header |
|---|---|---|
| grade | `年级编号` (11–16, 21–23, 31–33, 41–44) | `grade` or `年级` (see below) |
| sex | `性别` (1 = 男, 2 = 女) | `sex` (M/F, 男/女, 1/2, male/female) |
| height | `身高` (cm) | `height_cm` |
| weight | `体重` (kg) | `weight_kg` |
| items | `肺活量`, `50米跑`, `坐位体前屈`, `一分钟跳绳`, `一分钟仰卧起坐`, `50米×8往返跑`, `立定跳远`, `引体向上`, `1000米跑`, `800米跑` | the item codes of `fitness_items.csv`: `vital_capacity`, `run_50m`, … |
| vision (optional) | `左眼裸眼视力`, `右眼裸眼视力`, `左眼球镜`, `左眼柱镜`, `右眼球镜`, `右眼柱镜`, `左眼等效球镜`, `右眼等效球镜` | `acuity_left`, `acuity_right`, `sphere_left`, `cylinder_left`, `sphere_right`, `cylinder_right`, `se_left`, `se_right` |

A sheet is a fitness sheet when it has a grade column, a sex column and at least one of height,
weight or an item. Two columns for the same field (`run_50m` and `50米跑`) make the sheet
unreadable ([`FitnessSheetError::DuplicateColumn`]): wuyu does not pick one.

# Grades

* `年级编号` column: only the template codes 11–16 (一至六年级), 21–23 (初一至初三), 31–33
  (高一至高三), 41–44 (大一至大四).
* `grade` / `年级` column: 1–10 are school grades; 13–16, 21–23, 31–33, 41–44 are template codes;
  names such as `一年级`, `初二`, `高三`, `U12`, `大一` are accepted. **11 and 12 are ambiguous**
  (高二/高三, or template codes for 一/二年级). They are read as school grades when the column
  holds other school grades (1–10) and no template codes, as template codes when it holds other
  template codes and no school grades, and are a row error otherwise. The column as a whole is
  the evidence; a single value is never guessed.
* If both columns are present, both are read and must agree.

# Values, per item

An empty cell, `-`, `—`, `/`, `缺测`, `未测`, `缺考`, `免测` or `免考` means "not tested" (the
record is then INCOMPLETE when the item is required). Full-width digits, `．`, `：` and `－` are
read as their ASCII forms. Numbers are plain decimals (`9.8`, `-3.5`); no exponents, no thousands
separators.

* **Times of the long runs** (`800米跑`, `1000米跑`, `50米×8往返跑`), stored in seconds:
  * minutes and seconds with marks: `3'40"`, `3′40″`, `3’40”`, `3'40`, `3'40''`, `3分40秒`,
    `3分40`; seconds 0–59 with 1–2 digits and optional decimals (`3'40.5"`);
  * a clock: `3:40` (two-digit seconds), or `h:mm:ss` (`0:03:40`, which is how Excel shows a
    time cell);
  * seconds with a unit: `220秒`, `220s`, `220"`, `220″`;
  * a plain number **of at least 60**: seconds (`220`, `95.5`).
  * A plain number below 60 (`3.40`, `3.4`, `4`) is **ambiguous** (3 min 40 s or 3.4 s?) and is
    an error naming row, column and value. So is anything else.
* **50米跑**: seconds only, as a plain decimal (`9.8`) or with a unit (`9.8秒`, `9.8s`, `9.8"`,
  `9.8″`). A minute mark or a colon is an error.
* **Counts** (`一分钟跳绳`, `一分钟仰卧起坐`, `引体向上`): whole numbers ≥ 0, optionally `次`.
* **肺活量**: millilitres, optionally `ml` / `mL` / `毫升`.
* **坐位体前屈**, **立定跳远**, **身高**: centimetres, optionally `cm` / `厘米`; 坐位体前屈 may be
  negative. **体重**: kilograms, optionally `kg` / `公斤` / `千克`.

# Plausibility

Each field has an impossible range (an error: the value cannot be a real result, e.g. 50米跑
2.1 秒, 身高 20 cm, a negative count) and a wider-than-usual range (a warning the teacher
confirms or fixes: possible, but worth a second look). See [`bounds`]. A value for an item the
student's grade and sex do not take (引体向上 for a girl) is an error, as in `score_record`.
*/
use std::borrow::Cow;
use std::fmt;

use thiserror::Error;
use wuyu_domain::{RowError, Sex};
use wuyu_standards::{EyeExam, FitnessGrade, FitnessInput, FitnessItem, applies};

use crate::schema::normalize_header;
use crate::table::{RowRef, Table, Tables};

/// Which eye a vision column is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Eye {
    Left,
    Right,
}

/// A logical column of a fitness sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FitnessField {
    /// `年级编号`: template grade codes only.
    GradeCode,
    /// `grade` / `年级`: school grades, names or template codes (see the module docs).
    Grade,
    Sex,
    HeightCm,
    WeightKg,
    /// A measured item (never [`FitnessItem::Bmi`], which is computed).
    Item(FitnessItem),
    /// 裸眼视力, 5-point record.
    Acuity(Eye),
    /// 球镜 (D).
    Sphere(Eye),
    /// 柱镜 (D).
    Cylinder(Eye),
    /// 等效球镜 (D).
    SphericalEquivalent(Eye),
}

impl FitnessField {
    /// The header the national template uses (or the canonical Chinese header).
    pub fn header_zh(self) -> &'static str {
        match self {
            FitnessField::GradeCode => "年级编号",
            FitnessField::Grade => "年级",
            FitnessField::Sex => "性别",
            FitnessField::HeightCm => "身高",
            FitnessField::WeightKg => "体重",
            FitnessField::Item(i) => i.name_zh(),
            FitnessField::Acuity(Eye::Left) => "左眼裸眼视力",
            FitnessField::Acuity(Eye::Right) => "右眼裸眼视力",
            FitnessField::Sphere(Eye::Left) => "左眼球镜",
            FitnessField::Sphere(Eye::Right) => "右眼球镜",
            FitnessField::Cylinder(Eye::Left) => "左眼柱镜",
            FitnessField::Cylinder(Eye::Right) => "右眼柱镜",
            FitnessField::SphericalEquivalent(Eye::Left) => "左眼等效球镜",
            FitnessField::SphericalEquivalent(Eye::Right) => "右眼等效球镜",
        }
    }

    /// Accepted headers after [`normalize_header`].
    fn aliases(self) -> &'static [&'static str] {
        use FitnessItem as I;
        match self {
            FitnessField::GradeCode => &["年级编号", "年级代码", "grade_code"],
            FitnessField::Grade => &["grade", "年级"],
            FitnessField::Sex => &["性别", "性别代码", "sex", "gender"],
            FitnessField::HeightCm => &["身高", "身高cm", "height_cm", "height"],
            FitnessField::WeightKg => &["体重", "体重kg", "weight_kg", "weight"],
            FitnessField::Item(i) => match i {
                I::Bmi => &[],
                I::VitalCapacity => &["肺活量", "肺活量ml", "vital_capacity"],
                I::Run50m => &["50米跑", "50m跑", "50米", "run_50m"],
                I::SitAndReach => &["坐位体前屈", "sit_and_reach"],
                I::RopeSkip1min => &["一分钟跳绳", "1分钟跳绳", "跳绳", "rope_skip_1min"],
                I::SitUp1min => &["一分钟仰卧起坐", "1分钟仰卧起坐", "仰卧起坐", "sit_up_1min"],
                I::Shuttle50x8 => &[
                    "50米×8往返跑",
                    "50米x8往返跑",
                    "50米*8往返跑",
                    "50×8往返跑",
                    "50x8往返跑",
                    "50米往返跑",
                    "shuttle_50x8",
                ],
                I::StandingLongJump => &["立定跳远", "standing_long_jump"],
                I::PullUp => &["引体向上", "pull_up"],
                I::Run1000m => &["1000米跑", "1000米", "1000m跑", "run_1000m"],
                I::Run800m => &["800米跑", "800米", "800m跑", "run_800m"],
            },
            FitnessField::Acuity(Eye::Left) => &["左眼裸眼视力", "左眼视力", "acuity_left"],
            FitnessField::Acuity(Eye::Right) => &["右眼裸眼视力", "右眼视力", "acuity_right"],
            FitnessField::Sphere(Eye::Left) => &["左眼球镜", "左眼球镜度", "sphere_left"],
            FitnessField::Sphere(Eye::Right) => &["右眼球镜", "右眼球镜度", "sphere_right"],
            FitnessField::Cylinder(Eye::Left) => &["左眼柱镜", "左眼柱镜度", "cylinder_left"],
            FitnessField::Cylinder(Eye::Right) => &["右眼柱镜", "右眼柱镜度", "cylinder_right"],
            FitnessField::SphericalEquivalent(Eye::Left) => {
                &["左眼等效球镜", "左眼等效球镜度", "se_left"]
            }
            FitnessField::SphericalEquivalent(Eye::Right) => {
                &["右眼等效球镜", "右眼等效球镜度", "se_right"]
            }
        }
    }

    /// Every field, in slot order.
    pub const ALL: [FitnessField; FIELD_COUNT] = {
        use FitnessItem as I;
        [
            FitnessField::GradeCode,
            FitnessField::Grade,
            FitnessField::Sex,
            FitnessField::HeightCm,
            FitnessField::WeightKg,
            FitnessField::Item(I::VitalCapacity),
            FitnessField::Item(I::Run50m),
            FitnessField::Item(I::SitAndReach),
            FitnessField::Item(I::RopeSkip1min),
            FitnessField::Item(I::SitUp1min),
            FitnessField::Item(I::Shuttle50x8),
            FitnessField::Item(I::StandingLongJump),
            FitnessField::Item(I::PullUp),
            FitnessField::Item(I::Run1000m),
            FitnessField::Item(I::Run800m),
            FitnessField::Acuity(Eye::Left),
            FitnessField::Acuity(Eye::Right),
            FitnessField::Sphere(Eye::Left),
            FitnessField::Sphere(Eye::Right),
            FitnessField::Cylinder(Eye::Left),
            FitnessField::Cylinder(Eye::Right),
            FitnessField::SphericalEquivalent(Eye::Left),
            FitnessField::SphericalEquivalent(Eye::Right),
        ]
    };

    fn slot(self) -> usize {
        Self::ALL
            .iter()
            .position(|f| *f == self)
            .expect("every field is in ALL")
    }

    /// The field a header names, if any.
    pub fn from_header(header: &str) -> Option<Self> {
        let h = normalize_header(header);
        if h.is_empty() {
            return None;
        }
        Self::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&h.as_str()))
    }
}

const FIELD_COUNT: usize = 23;

/// Which layout a sheet's headers follow (informational: both are read the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitnessLayout {
    /// The national upload template's Chinese headers.
    Template,
    /// The glossary code names (`grade`, `sex`, `height_cm`, `run_50m`, …).
    Code,
    /// Some of each.
    Mixed,
}

/// Why a sheet cannot be read as fitness results at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FitnessSheetError {
    #[error(
        "文件中没有可识别的体质健康成绩表：{found}。需要年级（年级编号 或 grade）、性别（性别 或 sex）两列，以及身高、体重或至少一个测试项目（如 50米跑 / run_50m）的列"
    )]
    NoFitnessSheet { found: String },
    #[error("工作表“{sheet}”中“{first}”和“{second}”是同一项（{field}），请删去其中一列")]
    DuplicateColumn {
        sheet: String,
        first: String,
        second: String,
        field: &'static str,
    },
}

/// How the numbers in a `grade` / `年级` column are coded, from the column as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GradeCoding {
    /// Only school grades (1–10) besides 11/12: 11 and 12 are 高二, 高三.
    School,
    /// Only template codes (13–16, 21–23, …) besides 11/12: 11 and 12 are 一、二年级.
    Template,
    /// Neither or both: 11 and 12 are ambiguous.
    Unknown,
}

/// A sheet recognised as fitness results, ready to read row by row.
#[derive(Debug, Clone)]
pub struct FitnessSheet<'t> {
    file: String,
    table: &'t Table,
    cols: [Option<usize>; FIELD_COUNT],
    coding: GradeCoding,
    layout: FitnessLayout,
}

/// Finds the first fitness sheet of an upload (CSV: the only table; XLSX: the first worksheet
/// whose headers qualify).
pub fn find_fitness_sheet<'t>(
    file_name: &str,
    tables: &'t Tables,
) -> Result<FitnessSheet<'t>, FitnessSheetError> {
    Ok(find_fitness_sheets(file_name, tables)?.remove(0))
}

/// Every fitness sheet of an upload, in workbook order; an error if there is none. Hidden or
/// unrecognised sheets (lookup lists, notes) are skipped.
pub fn find_fitness_sheets<'t>(
    file_name: &str,
    tables: &'t Tables,
) -> Result<Vec<FitnessSheet<'t>>, FitnessSheetError> {
    let mut found = Vec::new();
    for t in &tables.tables {
        if let Some(sheet) = FitnessSheet::new(file_name, t)? {
            found.push(sheet);
        }
    }
    if found.is_empty() {
        let seen: Vec<String> = tables
            .tables
            .iter()
            .filter(|t| !t.hidden)
            .map(|t| {
                let name = if t.name.is_empty() {
                    "表头".to_string()
                } else {
                    format!("工作表“{}”的表头", t.name)
                };
                let header: Vec<&str> = t.header.iter().take(12).map(String::as_str).collect();
                format!("{name}为 {}", header.join("、"))
            })
            .collect();
        return Err(FitnessSheetError::NoFitnessSheet {
            found: if seen.is_empty() {
                "文件里没有数据".to_string()
            } else {
                seen.join("；")
            },
        });
    }
    Ok(found)
}

impl<'t> FitnessSheet<'t> {
    /// Recognises `table` as a fitness sheet: `Ok(None)` when it is not one (too few fitness
    /// columns), an error when it is one but a field has two columns.
    pub fn new(file_name: &str, table: &'t Table) -> Result<Option<Self>, FitnessSheetError> {
        let mut cols: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
        let (mut template, mut code) = (0, 0);
        for (i, h) in table.header.iter().enumerate() {
            let Some(f) = FitnessField::from_header(h) else {
                continue;
            };
            let slot = f.slot();
            if let Some(first) = cols[slot] {
                return Err(FitnessSheetError::DuplicateColumn {
                    sheet: table.name.clone(),
                    first: table.header[first].clone(),
                    second: h.clone(),
                    field: f.header_zh(),
                });
            }
            cols[slot] = Some(i);
            // Code names are ASCII; the template's headers are Chinese.
            if normalize_header(h).is_ascii() {
                code += 1;
            } else {
                template += 1;
            }
        }
        let has = |f: FitnessField| cols[f.slot()].is_some();
        let measured = [FitnessField::HeightCm, FitnessField::WeightKg]
            .into_iter()
            .chain(FitnessField::ALL[5..15].iter().copied())
            .any(has);
        let graded = has(FitnessField::GradeCode) || has(FitnessField::Grade);
        if !(graded && has(FitnessField::Sex) && measured) {
            return Ok(None);
        }
        let layout = match (template, code) {
            (_, 0) => FitnessLayout::Template,
            (0, _) => FitnessLayout::Code,
            _ => FitnessLayout::Mixed,
        };
        let coding = cols[FitnessField::Grade.slot()].map_or(GradeCoding::Unknown, |c| {
            grade_coding(table.rows().map(|r| r.get(c)))
        });
        Ok(Some(FitnessSheet {
            file: file_name.to_string(),
            table,
            cols,
            coding,
            layout,
        }))
    }

    pub fn table(&self) -> &'t Table {
        self.table
    }

    pub fn layout(&self) -> FitnessLayout {
        self.layout
    }

    /// The column index of a field, if the sheet has it.
    pub fn column(&self, field: FitnessField) -> Option<usize> {
        self.cols[field.slot()]
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every data row, read.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = FitnessRow<'t>> + '_ {
        self.table.rows().map(|r| self.read_row(r))
    }

    /// Reads one row: every cell is checked, so all of a row's problems are reported at once.
    pub fn read_row(&self, row: RowRef<'t>) -> FitnessRow<'t> {
        let mut out = FitnessRow {
            number: row.number,
            cells: row,
            input: None,
            eyes: [EyeExam::default(); 2],
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        let mut cx = RowCx {
            sheet: self,
            row,
            errors: &mut out.errors,
            warnings: &mut out.warnings,
        };

        let grade = self.read_grade(&mut cx);
        let sex = self.column(FitnessField::Sex).and_then(|c| {
            let v = cx.cell(c);
            if v.is_empty() {
                cx.error(c, "性别为空，应为 男 / 女（或 1 / 2、M / F）".to_string());
                return None;
            }
            match Sex::parse(v) {
                Ok(s) => Some(s),
                Err(_) => {
                    cx.error(
                        c,
                        format!("性别“{v}”无法识别，应为 男 / 女（或 1 / 2、M / F）"),
                    );
                    None
                }
            }
        });

        let height = self.measure(&mut cx, FitnessField::HeightCm);
        let weight = self.measure(&mut cx, FitnessField::WeightKg);
        if let (Some(h), Some(w)) = (height, weight) {
            check_bmi(&mut cx, self, h, w);
        }
        let mut items = [None; FitnessItem::COUNT];
        for item in FitnessItem::ALL.into_iter().skip(1) {
            items[item.index()] = self.measure(&mut cx, FitnessField::Item(item));
        }
        for (e, eye) in [Eye::Left, Eye::Right].into_iter().enumerate() {
            out_eye(&mut cx, self, eye, &mut out.eyes[e]);
        }

        if let (Some(grade), Some(sex)) = (grade, sex) {
            for item in FitnessItem::ALL.into_iter().skip(1) {
                if items[item.index()].is_some() && !applies(item, grade, sex) {
                    let c = self
                        .column(FitnessField::Item(item))
                        .expect("a value comes from a column");
                    cx.error(
                        c,
                        format!(
                            "{}{}生不测{}，请删去此成绩或核对年级、性别",
                            grade.label_zh(),
                            sex.label_zh(),
                            item.name_zh()
                        ),
                    );
                }
            }
            if cx.errors.is_empty() {
                let mut input = FitnessInput::new(grade, sex);
                input.height_cm = height;
                input.weight_kg = weight;
                for item in FitnessItem::ALL.into_iter().skip(1) {
                    input
                        .set(item, items[item.index()])
                        .expect("only BMI cannot be set");
                }
                out.input = Some(input);
            }
        }
        out
    }

    fn read_grade(&self, cx: &mut RowCx<'_, 't>) -> Option<FitnessGrade> {
        let by_code = self.column(FitnessField::GradeCode).and_then(|c| {
            let v = cx.cell(c);
            let g = v
                .parse::<u8>()
                .ok()
                .and_then(FitnessGrade::from_template_code);
            if g.is_none() {
                cx.error(
                    c,
                    if v.is_empty() {
                        "年级编号为空".to_string()
                    } else {
                        format!("年级编号“{v}”无效")
                    } + "，应为 11–16（一至六年级）、21–23（初一至初三）、31–33（高一至高三）或 41–44（大一至大四）",
                );
            }
            g.map(|g| (c, g))
        });
        let by_grade = self.column(FitnessField::Grade).and_then(|c| {
            let v = cx.cell(c);
            match parse_grade(v, self.coding) {
                Ok(g) => Some((c, g)),
                Err(msg) => {
                    cx.error(c, msg);
                    None
                }
            }
        });
        match (by_code, by_grade) {
            (Some((_, a)), Some((c, b))) if a != b => {
                cx.error(
                    c,
                    format!(
                        "年级与年级编号不一致：年级编号是{}，年级是{}",
                        a.label_zh(),
                        b.label_zh()
                    ),
                );
                None
            }
            (Some((_, g)), _) | (None, Some((_, g))) => Some(g),
            (None, None) => None,
        }
    }

    /// Parses and checks one measured value; records errors and warnings.
    fn measure(&self, cx: &mut RowCx<'_, 't>, field: FitnessField) -> Option<f64> {
        let c = self.column(field)?;
        let text = cx.cell(c);
        match parse_field_value(field, text) {
            Ok(None) => None,
            Ok(Some(v)) => match check(field, v) {
                Check::Ok => Some(v),
                Check::Warning(m) => {
                    cx.warning(c, m);
                    Some(v)
                }
                Check::Error(m) => {
                    cx.error(c, m);
                    None
                }
            },
            Err(m) => {
                cx.error(c, m);
                None
            }
        }
    }
}

fn out_eye<'t>(cx: &mut RowCx<'_, 't>, sheet: &FitnessSheet<'t>, eye: Eye, out: &mut EyeExam) {
    out.uncorrected_acuity = sheet.measure(cx, FitnessField::Acuity(eye));
    let sphere = sheet.measure(cx, FitnessField::Sphere(eye));
    let cylinder = sheet.measure(cx, FitnessField::Cylinder(eye));
    let se = sheet.measure(cx, FitnessField::SphericalEquivalent(eye));
    out.spherical_equivalent = se.or(match (sphere, cylinder) {
        (Some(s), Some(c)) => Some(wuyu_standards::spherical_equivalent(s, c)),
        // Without a cylinder column, a sphere alone is the whole refraction.
        (Some(s), None) if sheet.column(FitnessField::Cylinder(eye)).is_none() => Some(s),
        _ => None,
    });
}

fn check_bmi(cx: &mut RowCx<'_, '_>, sheet: &FitnessSheet<'_>, h: f64, w: f64) {
    let bmi = w / (h / 100.0).powi(2);
    let c = sheet
        .column(FitnessField::WeightKg)
        .expect("weight was read");
    if !(7.0..=70.0).contains(&bmi) {
        cx.error(
            c,
            format!(
                "身高 {h} 厘米、体重 {w} 千克算得体重指数 {bmi:.1}，不可能（应在 7–70 之间），请核对身高和体重"
            ),
        );
    } else if !(10.0..=45.0).contains(&bmi) {
        cx.warning(
            c,
            format!(
                "身高 {h} 厘米、体重 {w} 千克算得体重指数 {bmi:.1}，超出常见范围（10–45），请核对"
            ),
        );
    }
}

/// Where a row's problems go.
struct RowCx<'a, 't> {
    sheet: &'a FitnessSheet<'t>,
    row: RowRef<'t>,
    errors: &'a mut Vec<RowError>,
    warnings: &'a mut Vec<RowError>,
}

impl<'t> RowCx<'_, 't> {
    fn cell(&self, col: usize) -> &'t str {
        self.row.get(col)
    }

    fn problem(&self, col: usize, message_zh: String) -> RowError {
        RowError {
            file: self.sheet.file.clone(),
            sheet: self.sheet.table.name.clone(),
            row: self.row.number,
            column: self.sheet.table.header[col].clone(),
            value: self.row.get(col).to_string(),
            message_zh,
        }
    }

    fn error(&mut self, col: usize, message_zh: String) {
        let e = self.problem(col, message_zh);
        self.errors.push(e);
    }

    fn warning(&mut self, col: usize, message_zh: String) {
        let w = self.problem(col, message_zh);
        self.warnings.push(w);
    }
}

/// One data row, read.
#[derive(Debug, Clone)]
pub struct FitnessRow<'t> {
    /// 1-based spreadsheet row number.
    pub number: u32,
    /// The row as written, for passing through.
    pub cells: RowRef<'t>,
    /// The record to score; `Some` exactly when `errors` is empty.
    pub input: Option<FitnessInput>,
    /// Vision fields, left eye then right (empty when the sheet has none).
    pub eyes: [EyeExam; 2],
    /// Problems that stop the row from being scored.
    pub errors: Vec<RowError>,
    /// Possible but unusual values, for the teacher to confirm.
    pub warnings: Vec<RowError>,
}

/// The grade coding of a `grade` / `年级` column, from all its values.
fn grade_coding<'a>(values: impl Iterator<Item = &'a str>) -> GradeCoding {
    let (mut school, mut template) = (false, false);
    for v in values {
        match v.trim().parse::<u8>() {
            Ok(1..=10) => school = true,
            Ok(13..=16 | 21..=23 | 31..=33 | 41..=44) => template = true,
            _ => {}
        }
    }
    match (school, template) {
        (true, false) => GradeCoding::School,
        (false, true) => GradeCoding::Template,
        _ => GradeCoding::Unknown,
    }
}

fn parse_grade(v: &str, coding: GradeCoding) -> Result<FitnessGrade, String> {
    if v.is_empty() {
        return Err("年级为空，应为 1–12、年级编号（如 11、21）或 一年级…高三".to_string());
    }
    let v = normalize_value(v);
    let v = v.as_ref();
    if let Ok(n) = v.parse::<u8>() {
        return match (n, coding) {
            (1..=10, _) | (11 | 12, GradeCoding::School) => {
                Ok(FitnessGrade::school(n).expect("1–12"))
            }
            (11 | 12, GradeCoding::Template) => {
                Ok(FitnessGrade::from_template_code(n).expect("11, 12 are codes"))
            }
            (11 | 12, GradeCoding::Unknown) => Err(format!(
                "年级“{n}”有歧义：可能是{}（年级 {n}），也可能是年级编号 {n}（{}）。请写成 {} 或 {}，或把列名改为“年级编号”",
                FitnessGrade::school(n).expect("1–12").label_zh(),
                FitnessGrade::from_template_code(n)
                    .expect("code")
                    .label_zh(),
                FitnessGrade::school(n).expect("1–12").label_zh(),
                FitnessGrade::from_template_code(n)
                    .expect("code")
                    .label_zh(),
            )),
            _ => FitnessGrade::from_template_code(n).ok_or_else(|| {
                format!("年级“{n}”无效，应为 1–12 或年级编号 11–16、21–23、31–33、41–44")
            }),
        };
    }
    FitnessGrade::parse(v)
        .map_err(|_| format!("年级“{v}”无法识别，应为 1–12、年级编号（如 11、21）或 一年级…高三"))
}

/// Full-width digits and punctuation as ASCII, spaces removed. Borrowed when already clean.
fn normalize_value(s: &str) -> Cow<'_, str> {
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

/// The ranges a field's values are checked against, in the field's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Below this (or above `max`) the value cannot be a real result: an error.
    pub min: f64,
    pub max: f64,
    /// Outside `usual_min..=usual_max` (but possible): a warning.
    pub usual_min: f64,
    pub usual_max: f64,
    /// `秒`, `厘米`, …
    pub unit_zh: &'static str,
}

const fn b(min: f64, usual_min: f64, usual_max: f64, max: f64, unit_zh: &'static str) -> Bounds {
    Bounds {
        min,
        max,
        usual_min,
        usual_max,
        unit_zh,
    }
}

/// Plausibility bounds of a measured field, `None` for grade and sex. Why these numbers: the
/// impossible limits are beyond any student (world records, the smallest and largest school
/// children); the usual limits are wide enough that a real class rarely trips them.
pub fn bounds(field: FitnessField) -> Option<Bounds> {
    use FitnessItem as I;
    Some(match field {
        FitnessField::HeightCm => b(50.0, 90.0, 210.0, 250.0, "厘米"),
        FitnessField::WeightKg => b(8.0, 12.0, 150.0, 300.0, "千克"),
        FitnessField::Item(I::VitalCapacity) => b(100.0, 400.0, 7000.0, 10000.0, "毫升"),
        // 50 m world-class is about 5.5 s.
        FitnessField::Item(I::Run50m) => b(5.0, 6.0, 20.0, 60.0, "秒"),
        FitnessField::Item(I::SitAndReach) => b(-50.0, -25.0, 35.0, 60.0, "厘米"),
        FitnessField::Item(I::RopeSkip1min) => b(0.0, 0.0, 250.0, 400.0, "次"),
        FitnessField::Item(I::SitUp1min) => b(0.0, 0.0, 80.0, 120.0, "次"),
        FitnessField::Item(I::PullUp) => b(0.0, 0.0, 40.0, 100.0, "次"),
        FitnessField::Item(I::StandingLongJump) => b(20.0, 60.0, 330.0, 400.0, "厘米"),
        // 400 m with seven turns; 400 m flat is 43 s at world-record pace.
        FitnessField::Item(I::Shuttle50x8) => b(60.0, 75.0, 240.0, 600.0, "秒"),
        // World records: 800 m 1'40", 1000 m 2'12".
        FitnessField::Item(I::Run800m) => b(100.0, 130.0, 480.0, 1200.0, "秒"),
        FitnessField::Item(I::Run1000m) => b(130.0, 160.0, 480.0, 1200.0, "秒"),
        FitnessField::Acuity(_) => b(3.0, 3.0, 5.3, 5.3, ""),
        FitnessField::Sphere(_) | FitnessField::SphericalEquivalent(_) => {
            b(-30.0, -15.0, 10.0, 30.0, "D")
        }
        FitnessField::Cylinder(_) => b(-30.0, -8.0, 8.0, 30.0, "D"),
        FitnessField::Item(I::Bmi)
        | FitnessField::Grade
        | FitnessField::GradeCode
        | FitnessField::Sex => return None,
    })
}

/// The outcome of a plausibility check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Ok,
    /// Possible but unusual: the teacher confirms or fixes it.
    Warning(String),
    /// Not a possible result.
    Error(String),
}

/// Checks a parsed value against [`bounds`].
pub fn check(field: FitnessField, v: f64) -> Check {
    let Some(bd) = bounds(field) else {
        return Check::Ok;
    };
    let name = field.header_zh();
    let shown = Shown(field, v);
    if v < bd.min || v > bd.max {
        let hint = match field {
            FitnessField::HeightCm | FitnessField::Item(FitnessItem::StandingLongJump)
                if v < 4.0 =>
            {
                "；看起来是以米为单位，本列应填厘米"
            }
            FitnessField::Item(FitnessItem::VitalCapacity) if v < 10.0 => {
                "；看起来是以升为单位，本列应填毫升"
            }
            FitnessField::Item(FitnessItem::Run50m) if v >= 60.0 => "；是否漏了小数点？",
            FitnessField::Acuity(_) if v > 0.0 && v <= 2.0 => {
                "；看起来是小数记录，请换算为五分记录（如 1.0 → 5.0）"
            }
            _ => "",
        };
        let range = if v < 0.0 && bd.min == 0.0 {
            "不能为负".to_string()
        } else {
            format!("应在 {}–{}{} 之间", bd.min, bd.max, spaced(bd.unit_zh))
        };
        return Check::Error(format!("{name} {shown} 不可能：{range}{hint}，请核对"));
    }
    if v < bd.usual_min || v > bd.usual_max {
        return Check::Warning(format!(
            "{name} {shown} 超出常见范围（{}–{}{}），请核对是否录入有误",
            bd.usual_min,
            bd.usual_max,
            spaced(bd.unit_zh)
        ));
    }
    Check::Ok
}

/// A unit with a leading space, or nothing.
fn spaced(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A value with its unit, long times also as minutes and seconds: `220 秒（3'40"）`.
struct Shown(FitnessField, f64);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(field, v) = *self;
        let unit = bounds(field).map_or("", |b| b.unit_zh);
        write!(f, "{v}{}", spaced(unit))?;
        if let FitnessField::Item(
            FitnessItem::Run800m | FitnessItem::Run1000m | FitnessItem::Shuttle50x8,
        ) = field
            && v >= 0.0
        {
            let m = (v / 60.0).floor();
            write!(f, "（{}'{:02}\"）", m, v - m * 60.0)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_tables;
    use wuyu_standards::FitnessItem as I;

    /// Row number, input, errors, warnings.
    type Read = (u32, Option<FitnessInput>, Vec<RowError>, Vec<RowError>);

    fn sheet_rows(file: &str, bytes: &[u8]) -> Vec<Read> {
        let tables = read_tables(file, bytes).unwrap();
        let sheet = find_fitness_sheet(file, &tables).unwrap();
        sheet
            .rows()
            .map(|r| (r.number, r.input, r.errors, r.warnings))
            .collect()
    }

    fn value(item: FitnessItem, text: &str) -> Result<Option<f64>, String> {
        parse_field_value(FitnessField::Item(item), text)
    }

    #[test]
    fn code_layout_csv_reads_exact_values_and_keeps_other_columns() {
        let csv = "student_no,name,grade,sex,height_cm,weight_kg,vital_capacity,run_50m,sit_and_reach,rope_skip_1min,sit_up_1min,shuttle_50x8\n\
                   S001,张三,5,M,140.5,35.2,2000,9.8,5.5,120,30,105\n\
                   S002,李四,1,女,120,22,900,11.5,-1.2,80,,\n";
        let tables = read_tables("a.csv", csv.as_bytes()).unwrap();
        let sheet = find_fitness_sheet("a.csv", &tables).unwrap();
        assert_eq!(sheet.layout(), FitnessLayout::Code);
        let rows: Vec<_> = sheet.rows().collect();
        let r = &rows[0];
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let i = r.input.unwrap();
        assert_eq!(i.grade, FitnessGrade::school(5).unwrap());
        assert_eq!(i.sex, Sex::Male);
        assert_eq!((i.height_cm, i.weight_kg), (Some(140.5), Some(35.2)));
        assert_eq!(i.run_50m, Some(9.8));
        assert_eq!(i.sit_and_reach, Some(5.5));
        assert_eq!(i.shuttle_50x8, Some(105.0));
        assert_eq!(r.cells.get(0), "S001");
        assert_eq!(r.cells.get(1), "张三");
        assert_eq!(r.number, 2);
        let i = rows[1].input.unwrap();
        assert_eq!(i.sex, Sex::Female);
        assert_eq!(i.sit_and_reach, Some(-1.2));
        assert_eq!(i.sit_up_1min, None);
    }

    #[test]
    fn template_layout_xlsx() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("体测成绩").unwrap();
        let header = [
            "年级编号",
            "班级编号",
            "班级名称",
            "学籍号",
            "民族代码",
            "姓名",
            "性别",
            "出生日期",
            "身高",
            "体重",
            "肺活量",
            "50米跑",
            "立定跳远",
            "坐位体前屈",
            "800米跑",
            "1000米跑",
            "一分钟仰卧起坐",
            "引体向上",
            "一分钟跳绳",
            "50米×8往返跑",
            "左眼裸眼视力",
            "右眼裸眼视力",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        // 初一 boy: numbers as numbers, the 1000 m as text 3'55".
        ws.write_number(1, 0, 21).unwrap();
        ws.write_string(1, 1, "2101").unwrap();
        ws.write_string(1, 2, "初一(1)班").unwrap();
        ws.write_string(1, 3, "G110105201203051234").unwrap();
        ws.write_string(1, 4, "01").unwrap();
        ws.write_string(1, 5, "王五").unwrap();
        ws.write_number(1, 6, 1).unwrap();
        ws.write_string(1, 7, "2012-03-05").unwrap();
        ws.write_number(1, 8, 160.2).unwrap();
        ws.write_number(1, 9, 50.5).unwrap();
        ws.write_number(1, 10, 3200).unwrap();
        ws.write_number(1, 11, 8.1).unwrap();
        ws.write_number(1, 12, 205).unwrap();
        ws.write_number(1, 13, 8.5).unwrap();
        ws.write_string(1, 15, "3'55\"").unwrap();
        ws.write_number(1, 17, 6).unwrap();
        ws.write_number(1, 20, 4.8).unwrap();
        ws.write_number(1, 21, 5.0).unwrap();
        // 高二 girl (年级编号 32), 800 m as 3:40.
        ws.write_number(2, 0, 32).unwrap();
        ws.write_number(2, 6, 2).unwrap();
        ws.write_number(2, 8, 162).unwrap();
        ws.write_number(2, 9, 52).unwrap();
        ws.write_number(2, 10, 2800).unwrap();
        ws.write_number(2, 11, 9.1).unwrap();
        ws.write_number(2, 12, 170).unwrap();
        ws.write_number(2, 13, 12).unwrap();
        ws.write_string(2, 14, "3:40").unwrap();
        ws.write_number(2, 16, 40).unwrap();
        let bytes = wb.save_to_buffer().unwrap();

        let tables = read_tables("t.xlsx", &bytes).unwrap();
        let sheet = find_fitness_sheet("t.xlsx", &tables).unwrap();
        assert_eq!(sheet.layout(), FitnessLayout::Template);
        let rows: Vec<_> = sheet.rows().collect();
        assert!(
            rows.iter().all(|r| r.errors.is_empty()),
            "{:?}",
            rows[0].errors
        );
        let boy = rows[0].input.unwrap();
        assert_eq!(boy.grade, FitnessGrade::school(7).unwrap());
        assert_eq!(boy.sex, Sex::Male);
        assert_eq!(boy.run_1000m, Some(235.0));
        assert_eq!(boy.pull_up, Some(6.0));
        assert_eq!(boy.height_cm, Some(160.2));
        assert_eq!(rows[0].eyes[0].uncorrected_acuity, Some(4.8));
        assert_eq!(rows[0].cells.get(3), "G110105201203051234");
        let girl = rows[1].input.unwrap();
        assert_eq!(girl.grade, FitnessGrade::school(11).unwrap());
        assert_eq!(girl.run_800m, Some(220.0));
        assert_eq!(girl.sit_up_1min, Some(40.0));
    }

    #[test]
    fn every_documented_time_form() {
        for (text, secs) in [
            ("3'40\"", 220.0),
            ("3′40″", 220.0),
            ("3’40”", 220.0),
            ("3'40", 220.0),
            ("3'40''", 220.0),
            ("3'5\"", 185.0),
            ("3'40.5\"", 220.5),
            ("3分40秒", 220.0),
            ("3分40", 220.0),
            ("3:40", 220.0),
            ("3:40.2", 220.2),
            ("0:03:40", 220.0),
            ("00:03:40", 220.0),
            ("220", 220.0),
            ("220.5", 220.5),
            ("220秒", 220.0),
            ("220s", 220.0),
            ("220\"", 220.0),
            ("３：４０", 220.0),
            (" 3 ' 40 \" ", 220.0),
        ] {
            assert_eq!(value(I::Run800m, text), Ok(Some(secs)), "{text}");
        }
        for (text, secs) in [
            ("9.8", 9.8),
            ("9.8秒", 9.8),
            ("9.8s", 9.8),
            ("9.8\"", 9.8),
            ("10", 10.0),
        ] {
            assert_eq!(value(I::Run50m, text), Ok(Some(secs)), "{text}");
        }
        for empty in ["", "-", "/", "缺测", "免测"] {
            assert_eq!(value(I::Run1000m, empty), Ok(None));
        }
    }

    #[test]
    fn ambiguous_and_malformed_times_are_errors_never_guesses() {
        for text in ["3.40", "3.4", "4", "59.9"] {
            let e = value(I::Run800m, text).unwrap_err();
            assert!(e.contains("有歧义"), "{text}: {e}");
        }
        for text in [
            "3:4",
            "3'60\"",
            "3'",
            "3:40:00:00",
            "abc",
            "1e3",
            "3'-5\"",
            "inf",
        ] {
            assert!(value(I::Run1000m, text).is_err(), "{text}");
        }
        for text in ["0'09\"", "0:09", "9'8"] {
            assert!(value(I::Run50m, text).is_err(), "{text}");
        }
        // Excel's 3:40 → 03:40:00: explained, not read as 3 h 40 min.
        let e = value(I::Run800m, "03:40:00").unwrap_err();
        assert!(e.contains("3 小时 40 分"), "{e}");
        assert!(value(I::PullUp, "5.5").is_err());
        assert_eq!(value(I::PullUp, "5次"), Ok(Some(5.0)));
        assert_eq!(value(I::VitalCapacity, "2500ml"), Ok(Some(2500.0)));
    }

    #[test]
    fn ambiguous_time_in_a_row_names_row_column_and_value() {
        let csv = "grade,sex,run_800m\n8,F,3.40\n";
        let rows = sheet_rows("a.csv", csv.as_bytes());
        let (number, input, errors, _) = &rows[0];
        assert_eq!(*number, 2);
        assert!(input.is_none());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 2);
        assert_eq!(errors[0].column, "run_800m");
        assert_eq!(errors[0].value, "3.40");
        assert!(errors[0].message_zh.contains("有歧义"));
    }

    #[test]
    fn impossible_values_are_errors_and_unusual_ones_warnings() {
        let csv = "年级,性别,身高,体重,50米跑,一分钟跳绳,坐位体前屈\n\
                   3,男,20,30,2.1,-5,3\n\
                   3,男,1.35,30,9.5,100,3\n\
                   3,男,215,60,25,300,3\n";
        let rows = sheet_rows("a.csv", csv.as_bytes());
        let msgs: Vec<String> = rows[0].2.iter().map(|e| e.message_zh.clone()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("身高 20 厘米 不可能"), "{}", msgs[0]);
        assert!(msgs[1].starts_with("50米跑 2.1 秒 不可能"), "{}", msgs[1]);
        assert!(msgs[2].contains("不能为负"), "{}", msgs[2]);
        assert!(rows[1].2[0].message_zh.contains("以米为单位"));
        let (_, input, errors, warnings) = &rows[2];
        assert!(errors.is_empty());
        assert!(input.is_some());
        let cols: Vec<&str> = warnings.iter().map(|w| w.column.as_str()).collect();
        assert_eq!(cols, ["身高", "50米跑", "一分钟跳绳"]);
    }

    #[test]
    fn grade_11_and_12_need_evidence() {
        let alone = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,8\n12,F,9\n".as_bytes());
        assert!(alone.iter().all(|r| r.1.is_none()));
        assert!(alone[0].2[0].message_zh.contains("有歧义"));
        let school = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,8\n3,F,9\n".as_bytes());
        assert_eq!(
            school[0].1.unwrap().grade,
            FitnessGrade::school(11).unwrap()
        );
        let codes = sheet_rows("a.csv", "grade,sex,run_50m\n11,M,10\n21,F,9\n".as_bytes());
        assert_eq!(codes[0].1.unwrap().grade, FitnessGrade::school(1).unwrap());
        assert_eq!(codes[1].1.unwrap().grade, FitnessGrade::school(7).unwrap());
        let named = sheet_rows("a.csv", "grade,sex,run_50m\n高二,M,8\n".as_bytes());
        assert_eq!(named[0].1.unwrap().grade, FitnessGrade::school(11).unwrap());
        let both = sheet_rows(
            "a.csv",
            "年级编号,年级,sex,run_50m\n21,初二,M,8\n".as_bytes(),
        );
        assert!(both[0].2[0].message_zh.contains("不一致"));
    }

    #[test]
    fn an_item_the_student_does_not_take_is_an_error_on_its_column() {
        let rows = sheet_rows(
            "a.csv",
            "grade,sex,pull_up,run_800m\n8,F,5,\n8,M,5,\n".as_bytes(),
        );
        assert_eq!(rows[0].2[0].column, "pull_up");
        assert_eq!(
            rows[0].2[0].message_zh,
            "初二女生不测引体向上，请删去此成绩或核对年级、性别"
        );
        assert!(rows[1].1.is_some());
    }

    #[test]
    fn gb18030_csv() {
        let text = "年级编号,性别,身高,体重,50米跑\n15,2,140,33,9.9\n";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        let rows = sheet_rows("a.csv", &bytes);
        let i = rows[0].1.unwrap();
        assert_eq!(i.grade, FitnessGrade::school(5).unwrap());
        assert_eq!(i.sex, Sex::Female);
        assert_eq!(i.run_50m, Some(9.9));
    }

    #[test]
    fn sheet_level_problems() {
        let tables =
            read_tables("a.csv", "grade,sex,run_50m,50米跑\n1,M,9,9\n".as_bytes()).unwrap();
        let e = find_fitness_sheet("a.csv", &tables).unwrap_err();
        assert!(
            matches!(e, FitnessSheetError::DuplicateColumn { .. }),
            "{e}"
        );
        let tables = read_tables("a.csv", "学籍号,姓名\n1,张三\n".as_bytes()).unwrap();
        let e = find_fitness_sheet("a.csv", &tables).unwrap_err();
        assert!(e.to_string().contains("学籍号、姓名"), "{e}");
    }

    #[test]
    fn vision_fields() {
        let rows = sheet_rows(
            "a.csv",
            "grade,sex,height_cm,左眼裸眼视力,右眼裸眼视力,左眼球镜,左眼柱镜,右眼球镜,右眼柱镜\n\
             4,M,130,4.8,1.0,-1.25,-0.5,,\n"
                .as_bytes(),
        );
        let errors = &rows[0].2;
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message_zh.contains("五分记录"),
            "{}",
            errors[0].message_zh
        );
    }
}
