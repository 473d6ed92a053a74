//! Small dense linear algebra for p ≲ 10 coefficients: Householder QR least squares (OLS, as
//! §4.2 M4 asks: QR, not the normal equations) and Cholesky for the mixed model's p × p
//! systems. Matrices are row-major `Vec<f64>` of size p·p.

/// Lower-triangular Cholesky factor of a symmetric positive-definite matrix; `None` if it is
/// not positive definite (numerically singular).
pub(crate) fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                // Relative pivot test: a pivot that cancels to noise means collinear columns.
                if s <= 1e-12 * a[i * p + i].abs().max(f64::MIN_POSITIVE) {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Solves (L Lᵀ) x = b.
pub(crate) fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..p {
        for k in 0..i {
            z[i] -= l[i * p + k] * z[k];
        }
        z[i] /= l[i * p + i];
    }
    for i in (0..p).rev() {
        for k in i + 1..p {
            z[i] -= l[k * p + i] * z[k];
        }
        z[i] /= l[i * p + i];
    }
    z
}

/// (L Lᵀ)⁻¹, column by column.
pub(crate) fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    for c in 0..p {
        let mut e = vec![0.0; p];
        e[c] = 1.0;
        let col = chol_solve(l, p, &e);
        for r in 0..p {
            inv[r * p + c] = col[r];
        }
    }
    inv
}

/// ln |L Lᵀ|.
pub(crate) fn chol_logdet(l: &[f64], p: usize) -> f64 {
    (0..p).map(|i| 2.0 * l[i * p + i].ln()).sum()
}

/// Least squares by Householder QR. `cols` are the design columns (each of length n).
/// Returns (β, (XᵀX)⁻¹ = R⁻¹R⁻ᵀ, residuals), or `None` if X is rank deficient.
pub(crate) fn qr_least_squares(
    cols: &[Vec<f64>],
    y: &[f64],
) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let p = cols.len();
    let n = y.len();
    if n <= p {
        return None;
    }
    let mut a: Vec<Vec<f64>> = cols.to_vec();
    let mut qty = y.to_vec();
    let scale: Vec<f64> = cols
        .iter()
        .map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    for k in 0..p {
        // Householder vector v for column k below the diagonal.
        let norm = a[k][k..].iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm <= 1e-10 * scale[k].max(f64::MIN_POSITIVE) {
            return None;
        }
        let alpha = if a[k][k] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[k][k..].to_vec();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        let reflect = |col: &mut [f64]| {
            let dot: f64 = col.iter().zip(&v).map(|(c, w)| c * w).sum();
            let f = 2.0 * dot / vnorm2;
            for (c, w) in col.iter_mut().zip(&v) {
                *c -= f * w;
            }
        };
        for col in a.iter_mut().skip(k) {
            reflect(&mut col[k..]);
        }
        reflect(&mut qty[k..]);
    }
    // R is a[c][r] for r ≤ c. Back-substitute R β = (Qᵀy)[..p].
    let r = |row: usize, col: usize| a[col][row];
    let mut beta = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = qty[i] - (i + 1..p).map(|j| r(i, j) * beta[j]).sum::<f64>();
        beta[i] = s / r(i, i);
    }
    // R⁻¹ (upper triangular), then (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ.
    let mut rinv = vec![0.0; p * p];
    for c in 0..p {
        rinv[c * p + c] = 1.0 / r(c, c);
        for i in (0..c).rev() {
            let mut s = 0.0;
            for j in i + 1..=c {
                s += r(i, j) * rinv[j * p + c];
            }
            rinv[i * p + c] = -s / r(i, i);
        }
    }
    let mut xtx_inv = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            xtx_inv[i * p + j] = (0..p).map(|k| rinv[i * p + k] * rinv[j * p + k]).sum();
        }
    }
    let residuals = (0..n)
        .map(|i| y[i] - cols.iter().zip(&beta).map(|(c, b)| c[i] * b).sum::<f64>())
        .collect();
    Some((beta, xtx_inv, residuals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_fits_a_line_exactly() {
        let x = vec![1.0, 2.0, 3.0, 4.0];
        let y: Vec<f64> = x.iter().map(|x| 2.0 + 0.5 * x).collect();
        let (b, inv, e) = qr_least_squares(&[vec![1.0; 4], x], &y).unwrap();
        assert!((b[0] - 2.0).abs() < 1e-12 && (b[1] - 0.5).abs() < 1e-12);
        assert!(e.iter().all(|e| e.abs() < 1e-12));
        // (XᵀX)⁻¹ for X = [1, x]: XᵀX = [[4, 10], [10, 30]], det 20.
        assert!(
            (inv[0] - 1.5).abs() < 1e-12
                && (inv[1] + 0.5).abs() < 1e-12
                && (inv[3] - 0.2).abs() < 1e-12
        );
        assert!(
            qr_least_squares(&[vec![1.0; 4], vec![2.0; 4]], &y).is_none(),
            "collinear"
        );
    }

    #[test]
    fn cholesky_solves_and_inverts() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        let x = chol_solve(&l, 2, &[2.0, 1.0]);
        assert!(
            (4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12
                && (2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12
        );
        let inv = chol_inverse(&l, 2);
        assert!((inv[0] - 3.0 / 8.0).abs() < 1e-12 && (inv[1] + 2.0 / 8.0).abs() < 1e-12);
        assert!((chol_logdet(&l, 2) - 8f64.ln()).abs() < 1e-12);
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }
}
