//! Reading one input sheet (CSV in UTF-8/GB18030/UTF-16, or the first visible worksheet of an
//! XLSX) through `wuyu_ingest::read_tables`, and turning cells into numbers with Chinese errors
//! that name the file, the row a user sees in Excel, the column and the value.
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use wuyu_ingest::table::RowRef;
use wuyu_ingest::{FileFormat, Table};

/// Below this many rows a sheet is read in one thread.
const PARALLEL_MIN_ROWS: usize = 20_000;

/// The sheet a command reads, and where it came from (for error messages).
pub struct Sheet {
    /// "文件 a.csv" or "文件 a.xlsx 工作表“成绩”".
    pub place: String,
    pub table: Table,
}

impl Sheet {
    /// Reads `path`. Fails on an unreadable or empty file, or a sheet without data rows.
    pub fn read(path: &Path) -> anyhow::Result<Sheet> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {shown}"))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tables =
            wuyu_ingest::read_tables(&name, &bytes).map_err(|e| anyhow!("文件 {shown}：{e}"))?;
        let format = tables.format;
        let Some(table) = tables
            .tables
            .into_iter()
            .find(|t| !t.hidden && !t.header.is_empty())
        else {
            bail!("文件 {shown} 是空的：没有列名行，也没有数据（第一行应为列名）");
        };
        let place = match format {
            FileFormat::Csv => format!("文件 {shown}"),
            FileFormat::Xlsx => format!("文件 {shown} 工作表“{}”", table.name),
        };
        if table.is_empty() {
            bail!(
                "{place} 只有列名行（第 {} 行），没有数据行",
                table.header_row
            );
        }
        Ok(Sheet { place, table })
    }

    /// Index of the column headed `name` (exact match after trimming).
    pub fn column(&self, name: &str, option: &str) -> anyhow::Result<usize> {
        let name = name.trim();
        let hits: Vec<usize> = (0..self.table.header.len())
            .filter(|&c| self.table.header[c] == name)
            .collect();
        match hits.as_slice() {
            [c] => Ok(*c),
            [] => bail!(
                "{} 中没有“{name}”列（{option} 指定的列）。现有的列：{}",
                self.place,
                self.table
                    .header
                    .iter()
                    .filter(|h| !h.is_empty())
                    .map(|h| format!("“{h}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            _ => bail!(
                "{} 中有 {} 个名为“{name}”的列（第 {} 列），无法确定用哪一列，请改名后重试",
                self.place,
                hits.len(),
                hits.iter()
                    .map(|c| (c + 1).to_string())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }
    }

    /// Runs `f` over contiguous ranges of the data rows, one per core for a large sheet, and
    /// returns the results in row order. The first error in row order wins, as in one pass.
    pub fn par_rows<T: Send>(
        &self,
        f: impl Fn(std::ops::Range<usize>) -> anyhow::Result<T> + Sync,
    ) -> anyhow::Result<Vec<T>> {
        let n = self.table.len();
        let parts = if n < PARALLEL_MIN_ROWS {
            1
        } else {
            wuyu_ingest::worker_threads()
        };
        if parts == 1 {
            return Ok(vec![f(0..n)?]);
        }
        let f = &f;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..parts)
                .map(|k| scope.spawn(move || f(n * k / parts..n * (k + 1) / parts)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("row reader thread panicked"))
                .collect()
        })
    }

    /// Header of column `col`.
    pub fn header(&self, col: usize) -> &str {
        &self.table.header[col]
    }

    /// The error for a bad cell, naming file, row, column and value.
    pub fn cell_error(&self, row: &RowRef<'_>, col: usize, why: &str) -> anyhow::Error {
        anyhow!(
            "{} 第 {} 行“{}”列的值“{}”{why}",
            self.place,
            row.number,
            self.header(col),
            row.get(col)
        )
    }

    /// The number in a cell: `None` when blank, an error when it is not a finite number.
    /// Full-width digits (“９５．５”, typed with a Chinese input method) are accepted.
    pub fn number(&self, row: &RowRef<'_>, col: usize) -> anyhow::Result<Option<f64>> {
        if let Some(issue) = row.issue(col) {
            bail!(
                "{} 第 {} 行“{}”列的值“{}”无法使用：{}",
                self.place,
                row.number,
                self.header(col),
                issue.value,
                issue.message_zh
            );
        }
        let text = row.get(col);
        if text.is_empty() {
            return Ok(None);
        }
        match parse_number(text) {
            Some(x) => Ok(Some(x)),
            None => Err(self.cell_error(row, col, "不是数字")),
        }
    }

    /// Like [`Sheet::number`], but a blank cell is an error too.
    pub fn required_number(&self, row: &RowRef<'_>, col: usize) -> anyhow::Result<f64> {
        self.number(row, col)?.ok_or_else(|| {
            anyhow!(
                "{} 第 {} 行“{}”列是空的，需要填一个数",
                self.place,
                row.number,
                self.header(col)
            )
        })
    }
}

/// Parses a decimal number, accepting full-width digits and signs; NaN and infinities are not
/// numbers here.
fn parse_number(text: &str) -> Option<f64> {
    // Plain ASCII numbers (nearly every cell) parse without copying: this runs millions of times.
    if text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return text.parse::<f64>().ok().filter(|x| x.is_finite());
    }
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            other => other,
        })
        .collect();
    let lower = ascii.to_ascii_lowercase();
    if lower.contains("inf") || lower.contains("nan") {
        return None;
    }
    ascii.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("95.5"), Some(95.5));
        assert_eq!(parse_number("９５．５"), Some(95.5));
        assert_eq!(parse_number("－１"), Some(-1.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        for bad in [
            "NaN",
            "inf",
            "-Infinity",
            "缺考",
            "12分",
            "1,5",
            "1e999",
            "",
            "e",
            "--1",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
