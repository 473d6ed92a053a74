/*!
The 姓名 column of a score, item or fitness sheet. Those sheets are matched to students by
学籍号 alone, so a mistyped 学籍号 would put marks on another child, whose parent then sees
them. When a sheet has a name column, each row's name is kept here as [`NamedRow`] and the
service compares it with the roster before anything is written.
*/
use wuyu_domain::{RowError, StudentNo};

use crate::schema::normalize_header;
use crate::table::{RowRef, Table};

/// Headers (after [`normalize_header`]) of a student-name column.
const NAME_HEADERS: [&str; 4] = ["姓名", "学生姓名", "name", "student_name"];

/// One row's 学籍号 and the name the sheet gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRow {
    pub sheet: String,
    /// 1-based spreadsheet row number.
    pub row: u32,
    /// The name column's header as written.
    pub column: String,
    pub student_no: StudentNo,
    pub name: String,
}

impl NamedRow {
    /// The row error for a name that is not this student's, naming file, row, column and
    /// value. The roster's name is not shown: the uploader may not be entitled to it.
    pub fn mismatch(&self, file: &str) -> RowError {
        RowError {
            file: file.to_string(),
            sheet: self.sheet.clone(),
            row: self.row,
            column: self.column.clone(),
            value: self.name.clone(),
            message_zh: format!(
                "姓名“{}”与名册中学籍号 {} 的学生姓名不一致：请核对学籍号是否填错（否则成绩会记到别的学生名下），或先在名册中更正姓名",
                self.name,
                self.student_no.as_str()
            ),
        }
    }
}

/// The name column of a sheet, if it has one.
pub fn name_column(table: &Table) -> Option<usize> {
    table
        .header
        .iter()
        .position(|h| NAME_HEADERS.contains(&normalize_header(h).as_str()))
}

/// The row's name, if the sheet has a name column and the cell is filled and readable.
pub fn named_row(
    table: &Table,
    col: Option<usize>,
    row: &RowRef<'_>,
    no: &StudentNo,
) -> Option<NamedRow> {
    let c = col?;
    let name = row.get(c);
    if name.is_empty() || row.issue(c).is_some() {
        return None;
    }
    Some(NamedRow {
        sheet: table.name.clone(),
        row: row.number,
        column: table.header[c].clone(),
        student_no: no.clone(),
        name: name.to_string(),
    })
}

/// Whether two spellings are the same name: spaces (Excel users pad two-character names,
/// often with full-width spaces) and the variants of the middle dot in minority names
/// (阿依古丽·买买提) do not count, nor does Latin letter case.
pub fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars().filter(|c| !c.is_whitespace()).map(|c| match c {
            '•' | '・' | '．' | '.' | '‧' | '∙' | '⋅' => '·',
            c => c.to_ascii_lowercase(),
        })
    }
    norm(a).eq(norm(b))
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn spellings_of_one_name() {
        assert!(same_name("张三", "张三"));
        assert!(same_name("王　芳", "王芳"));
        assert!(same_name(" 王 芳 ", "王芳"));
        assert!(same_name("阿依古丽•买买提", "阿依古丽·买买提"));
        assert!(same_name("Ana María", "ana maría"));
        assert!(!same_name("张小明", "李小红"));
        assert!(!same_name("张三", "张三丰"));
    }
}
