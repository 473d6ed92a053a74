//! Users, roles and the data scope every request carries.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{ClassId, DomainError, SchoolId, StudentId, TeacherId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    DistrictAdmin,
    DistrictAnalyst,
    SchoolAdmin,
    Teacher,
    Counsellor,
    Parent,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::DistrictAdmin,
        Role::DistrictAnalyst,
        Role::SchoolAdmin,
        Role::Teacher,
        Role::Counsellor,
        Role::Parent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "district_admin",
            Role::DistrictAnalyst => "district_analyst",
            Role::SchoolAdmin => "school_admin",
            Role::Teacher => "teacher",
            Role::Counsellor => "counsellor",
            Role::Parent => "parent",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "区级管理员",
            Role::DistrictAnalyst => "区级分析员",
            Role::SchoolAdmin => "学校管理员",
            Role::Teacher => "教师",
            Role::Counsellor => "心理教师",
            Role::Parent => "家长",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == t || r.label_zh() == t)
            .ok_or_else(|| DomainError::BadRole(t.to_string()))
    }

    /// Roles bound to one school need a school; teachers a teacher record; parents a child.
    pub fn needs_school(self) -> bool {
        !matches!(self, Role::DistrictAdmin | Role::DistrictAnalyst)
    }

    /// Ranks of students, classes, schools and teachers are shown only to these roles (and a
    /// district setting can hide them from everyone). Parents never see ranks.
    pub fn may_see_ranks(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::DistrictAnalyst | Role::SchoolAdmin
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub school_id: Option<SchoolId>,
    /// For teachers: the teacher record whose assignments give the class scope.
    pub teacher_id: Option<TeacherId>,
    /// For parents: the child.
    pub student_id: Option<StudentId>,
}

/// What data a signed-in user may read. Every store query takes one; handlers never filter
/// by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// The whole district (district admins and analysts).
    District,
    /// One school (school admins).
    School { school_id: SchoolId },
    /// Some classes of one school (teachers: the classes they teach).
    Classes {
        school_id: SchoolId,
        class_ids: BTreeSet<ClassId>,
    },
    /// A counsellor: one school's students, for mental-health work.
    Counsellor { school_id: SchoolId },
    /// A parent: their own children only.
    Parent {
        school_id: SchoolId,
        student_ids: BTreeSet<StudentId>,
    },
}

impl Scope {
    /// The only school this scope reaches, or `None` for the whole district.
    pub fn school_id(&self) -> Option<SchoolId> {
        match self {
            Scope::District => None,
            Scope::School { school_id }
            | Scope::Classes { school_id, .. }
            | Scope::Counsellor { school_id }
            | Scope::Parent { school_id, .. } => Some(*school_id),
        }
    }

    pub fn is_district(&self) -> bool {
        matches!(self, Scope::District)
    }

    /// May the caller see this school at all (its name, its page)?
    pub fn can_view_school(&self, school: SchoolId) -> bool {
        self.school_id().is_none_or(|s| s == school)
    }

    /// May the caller list this school's classes and students (possibly only some of them)?
    pub fn can_list_school_roster(&self, school: SchoolId) -> bool {
        !matches!(self, Scope::Parent { .. }) && self.can_view_school(school)
    }

    /// May the caller see this class and its students?
    pub fn can_view_class(&self, school: SchoolId, class: ClassId) -> bool {
        match self {
            Scope::District => true,
            Scope::School { school_id } | Scope::Counsellor { school_id } => *school_id == school,
            Scope::Classes {
                school_id,
                class_ids,
            } => *school_id == school && class_ids.contains(&class),
            Scope::Parent { .. } => false,
        }
    }

    /// May the caller see this student's own record?
    pub fn can_view_student(&self, school: SchoolId, class: ClassId, student: StudentId) -> bool {
        match self {
            Scope::Parent {
                school_id,
                student_ids,
            } => *school_id == school && student_ids.contains(&student),
            _ => self.can_view_class(school, class),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_reach_what_their_role_should() {
        let s1 = SchoolId(1);
        let s2 = SchoolId(2);
        let c1 = ClassId(10);
        let c2 = ClassId(11);
        let st = StudentId(100);
        let teacher = Scope::Classes {
            school_id: s1,
            class_ids: [c1].into(),
        };
        assert!(teacher.can_view_class(s1, c1));
        assert!(!teacher.can_view_class(s1, c2));
        assert!(
            !teacher.can_view_class(s2, c1),
            "same class id, other school"
        );
        assert!(teacher.can_list_school_roster(s1));
        assert!(!teacher.can_view_school(s2));

        let parent = Scope::Parent {
            school_id: s1,
            student_ids: [st].into(),
        };
        assert!(parent.can_view_student(s1, c1, st));
        assert!(!parent.can_view_student(s1, c1, StudentId(101)));
        assert!(!parent.can_view_class(s1, c1));
        assert!(!parent.can_list_school_roster(s1));

        assert!(Scope::District.can_view_student(s2, c2, st));
        let admin = Scope::School { school_id: s1 };
        assert!(admin.can_view_student(s1, c2, st));
        assert!(!admin.can_view_student(s2, c2, st));
    }

    #[test]
    fn roles_parse_and_rank_visibility() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
            assert_eq!(Role::parse(r.label_zh()).unwrap(), r);
        }
        assert!(!Role::Parent.may_see_ranks());
        assert!(Role::DistrictAnalyst.may_see_ranks());
        assert!(Role::parse("root").is_err());
    }
}
