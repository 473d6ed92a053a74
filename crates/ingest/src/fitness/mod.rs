/*!
Reading fitness results (国家学生体质健康标准) from a sheet, in either of two layouts, into
[`FitnessInput`](wuyu_standards::FitnessInput)s for [`wuyu_standards::score_record`], with row-level errors and warnings in
Chinese. No scoring and no database here: the reader's job is to turn what a PE teacher typed
into exact numbers, or to say precisely why it cannot.

# Layouts

Headers are matched after [`normalize_header`](crate::schema::normalize_header) (trimmed, `*` and a trailing `(单位)` dropped,
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

mod batch;
mod bounds;
mod export;
mod fields;
mod sheet;
#[cfg(test)]
mod tests;
mod values;

pub use batch::{FitnessFileError, FitnessRead, read_fitness_batch};
pub use bounds::{Bounds, Check, bounds, check};
pub use export::{
    TEMPLATE_HEADER, TemplateRow, write_fitness_template_csv, write_fitness_template_xlsx,
};
pub use fields::{Eye, FitnessField, FitnessLayout};
pub use sheet::{
    FitnessRow, FitnessSheet, FitnessSheetError, find_fitness_sheet, find_fitness_sheets,
};
pub use values::parse_field_value;
