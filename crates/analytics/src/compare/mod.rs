//! Comparisons between units (§5).
