//! Numeric ids. Per-school entities are keyed by `(SchoolId, id)` in the store, so an id alone
//! is only meaningful together with its school.
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A school, unique in the district.
    SchoolId
);
id_type!(
    /// A class, unique within its school.
    ClassId
);
id_type!(
    /// A student, unique within the school that enrolled them.
    StudentId
);
id_type!(
    /// A teacher, unique within their school.
    TeacherId
);
id_type!(
    /// A user account, unique in the deployment.
    UserId
);
id_type!(
    /// An exam, unique in the district (exams are district data: no school in the key).
    ExamId
);
