//! The validated score matrix: N students × k items, row-major, with each item's full marks.
use crate::error::{AnalyticsError, check_len};

/// Item scores of N students on k items. Construction validates every cell
/// (finite, 0 ≤ x ≤ item full marks), so the analysis never re-checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemMatrix {
    n: usize,
    k: usize,
    data: Vec<f64>,
    max_points: Vec<f64>,
    names: Vec<String>,
}

impl ItemMatrix {
    /// `data` is row-major (student by student), `max_points[j]` is item j's full marks.
    /// Items are named "1", "2", … unless renamed with [`ItemMatrix::with_names`].
    pub fn new(n: usize, data: Vec<f64>, max_points: Vec<f64>) -> crate::Result<Self> {
        let k = max_points.len();
        if k == 0 {
            return Err(AnalyticsError::Empty { what: "items" });
        }
        if n == 0 {
            return Err(AnalyticsError::Empty { what: "students" });
        }
        check_len("item matrix cells (n × k)", n * k, data.len())?;
        if let Some(&m) = max_points.iter().find(|m| !(m.is_finite() && **m > 0.0)) {
            return Err(AnalyticsError::InvalidValue {
                what: "item full marks",
                value: m,
            });
        }
        for row in data.chunks_exact(k) {
            for (x, m) in row.iter().zip(&max_points) {
                if !(x.is_finite() && *x >= 0.0 && *x <= *m) {
                    return Err(AnalyticsError::InvalidValue {
                        what: "item score",
                        value: *x,
                    });
                }
            }
        }
        let names = (1..=k).map(|j| j.to_string()).collect();
        Ok(ItemMatrix {
            n,
            k,
            data,
            max_points,
            names,
        })
    }

    /// Builds the matrix from rows (one per student).
    pub fn from_rows(rows: &[Vec<f64>], max_points: Vec<f64>) -> crate::Result<Self> {
        let k = max_points.len();
        let mut data = Vec::with_capacity(rows.len() * k);
        for row in rows {
            check_len("items per student", k, row.len())?;
            data.extend_from_slice(row);
        }
        Self::new(rows.len(), data, max_points)
    }

    /// Names the items (column headers).
    pub fn with_names(mut self, names: Vec<String>) -> crate::Result<Self> {
        check_len("item names", self.k, names.len())?;
        self.names = names;
        Ok(self)
    }

    pub fn n(&self) -> usize {
        self.n
    }
    pub fn k(&self) -> usize {
        self.k
    }
    pub fn max_points(&self) -> &[f64] {
        &self.max_points
    }
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Student i's item scores.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.k..(i + 1) * self.k]
    }
    pub(crate) fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.k)
    }
    /// Total score of every student.
    pub fn totals(&self) -> Vec<f64> {
        self.rows().map(|r| r.iter().sum()).collect()
    }
    /// Whether every item is scored 0/1 (KR-20 and KR-21 apply).
    pub fn is_dichotomous(&self) -> bool {
        self.max_points.iter().all(|&m| m == 1.0) && self.data.iter().all(|&x| x == 0.0 || x == 1.0)
    }
}
