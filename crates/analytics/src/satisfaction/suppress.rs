//! Minimum respondents (§7.2 [DEFAULT]): a unit with fewer valid answers than the minimum is
//! not reported, and whatever a district configures, a group under 5 never is (anonymity).
use serde::{Deserialize, Serialize};

/// Never report a group with fewer respondents than this, whatever the setting.
pub const ANONYMITY_FLOOR: usize = 5;
/// Default minimum for parent (and student) surveys.
pub const MIN_PARENTS: usize = 30;
/// Default minimum for teacher surveys (e.g. peer 师德 evaluation).
pub const MIN_TEACHERS: usize = 10;

/// The configured minimum number of valid answers for a unit to be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinRespondents(usize);

impl MinRespondents {
    /// A minimum of `n`; below [`ANONYMITY_FLOOR`] it is raised to the floor.
    pub fn new(n: usize) -> Self {
        MinRespondents(n.max(ANONYMITY_FLOOR))
    }

    pub fn parents() -> Self {
        Self::new(MIN_PARENTS)
    }

    pub fn teachers() -> Self {
        Self::new(MIN_TEACHERS)
    }

    /// The effective minimum (never under the floor).
    pub fn get(self) -> usize {
        self.0
    }

    /// Whether a unit with `n` valid answers must stay unreported.
    pub fn suppresses(self, n: usize) -> bool {
        n < self.0
    }
}

impl Default for MinRespondents {
    fn default() -> Self {
        Self::parents()
    }
}
