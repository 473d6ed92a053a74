//! Mapping unit labels to dense indices, in sorted label order so results do not depend on the
//! order of the input rows.
use std::collections::BTreeMap;

pub(crate) struct GroupIndex {
    pub labels: Vec<String>,
    /// Group index of every row.
    pub of_row: Vec<usize>,
    pub sizes: Vec<usize>,
}

impl GroupIndex {
    pub fn new(groups: &[String]) -> Self {
        let mut map: BTreeMap<&str, usize> = groups.iter().map(|g| (g.as_str(), 0)).collect();
        for (i, v) in map.values_mut().enumerate() {
            *v = i;
        }
        let labels: Vec<String> = map.keys().map(|s| s.to_string()).collect();
        let of_row: Vec<usize> = groups.iter().map(|g| map[g.as_str()]).collect();
        let mut sizes = vec![0; labels.len()];
        for &g in &of_row {
            sizes[g] += 1;
        }
        GroupIndex {
            labels,
            of_row,
            sizes,
        }
    }

    /// Per-group sums of `values`.
    pub fn sums(&self, values: &[f64]) -> Vec<f64> {
        let mut s = vec![0.0; self.labels.len()];
        for (&g, v) in self.of_row.iter().zip(values) {
            s[g] += v;
        }
        s
    }

    /// Per-group sample SD of `values` (None for n < 2).
    pub fn sds(&self, values: &[f64]) -> Vec<Option<f64>> {
        let means: Vec<f64> = self
            .sums(values)
            .iter()
            .zip(&self.sizes)
            .map(|(s, n)| s / *n as f64)
            .collect();
        let mut ss = vec![0.0; self.labels.len()];
        for (&g, v) in self.of_row.iter().zip(values) {
            ss[g] += (v - means[g]).powi(2);
        }
        ss.iter()
            .zip(&self.sizes)
            .map(|(s, &n)| (n >= 2).then(|| (s / (n - 1) as f64).sqrt()))
            .collect()
    }
}
