//! The logical columns of a fitness sheet, their header spellings and the layout a sheet follows.
use wuyu_standards::FitnessItem;

use crate::schema::normalize_header;

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

    pub(super) fn slot(self) -> usize {
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

pub(super) const FIELD_COUNT: usize = 23;

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
