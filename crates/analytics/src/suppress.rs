//! Small-cell suppression for published counts of sensitive data (modules.md §3): every cell
//! with fewer than `min` students is hidden, and then further cells (complementary
//! suppression) so that no hidden cell can be worked out from the row and column totals that
//! are published beside the table.

/// Which cells of a table of counts must be hidden. `cells[r][c]` is the count of row `r`
/// (e.g. a school) and column `c` (e.g. an attention level); row totals and column totals are
/// assumed published. Returns a mask of the same shape, `true` = hidden.
///
/// Primary: every cell below `min`. Complementary: a row or column with exactly one hidden
/// cell hides its smallest visible cell as well (a single hidden cell is its total minus the
/// rest), repeated until no row or column has exactly one.
pub fn suppress_table(cells: &[Vec<u64>], min: u64) -> Vec<Vec<bool>> {
    let mut hidden: Vec<Vec<bool>> = cells
        .iter()
        .map(|row| row.iter().map(|&n| n < min).collect())
        .collect();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    loop {
        let mut changed = false;
        for r in 0..cells.len() {
            let idx: Vec<usize> = (0..cells[r].len()).collect();
            changed |= complete_line(cells, &mut hidden, idx.iter().map(|&c| (r, c)));
        }
        for c in 0..cols {
            let idx: Vec<(usize, usize)> = (0..cells.len())
                .filter(|&r| c < cells[r].len())
                .map(|r| (r, c))
                .collect();
            changed |= complete_line(cells, &mut hidden, idx.into_iter());
        }
        if !changed {
            return hidden;
        }
    }
}

/// Hides one more cell of a line that has exactly one hidden cell; reports whether it did.
fn complete_line(
    cells: &[Vec<u64>],
    hidden: &mut [Vec<bool>],
    line: impl Iterator<Item = (usize, usize)>,
) -> bool {
    let line: Vec<(usize, usize)> = line.collect();
    let n_hidden = line.iter().filter(|&&(r, c)| hidden[r][c]).count();
    if n_hidden != 1 {
        return false;
    }
    let partner = line
        .iter()
        .filter(|&&(r, c)| !hidden[r][c])
        .min_by_key(|&&(r, c)| (cells[r][c], r, c));
    match partner {
        Some(&(r, c)) => {
            hidden[r][c] = true;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
        // Row 0 has one small cell (3): the smallest other cell of the row (12) goes too; then
        // columns 1 and 2 each have one hidden cell, so row 1's cells there go as well.
        let t = vec![vec![40, 3, 12], vec![50, 20, 30]];
        let h = suppress_table(&t, 10);
        assert_eq!(h, vec![vec![false, true, true], vec![false, true, true]]);
    }

    #[test]
    fn large_cells_stay() {
        let t = vec![vec![10, 11], vec![12, 13]];
        assert!(suppress_table(&t, 10).iter().flatten().all(|h| !h));
    }
}
