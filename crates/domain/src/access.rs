//! The access policy as data: who may do what is one table, [`GRANTS`], the code twin of the
//! role × route test matrix. Navigation, the web's `Require<Cap>` extractors and the service
//! all ask [`grants`]; nothing else decides by role.
//!
//! *What* a caller may read within a capability is their [`Scope`] (their school, their
//! classes, their child), which the store turns into SQL. Rights that must not be skipped are
//! typed tokens: a read model that can carry ranks takes a [`RanksToken`], unscoped
//! administrative operations take an [`AdminToken`]; neither can be made without the grant.
use serde::{Deserialize, Serialize};

use crate::{Role, Scope, User};

/// Something a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// 区级总览: the district home page.
    DistrictOverview,
    /// A school's page, classes and students, as far as the scope reaches.
    ViewRoster,
    /// Fitness aggregates and class lists of the scope.
    ViewFitness,
    /// One student's fitness history (a parent: their own child).
    ViewStudentFitness,
    /// Exams sat in the scope, their statistics, classes and items.
    ViewExams,
    /// An exam's district-wide export.
    ExportDistrictExam,
    /// The parallel-class alerts.
    ViewExamAlerts,
    /// Ranks of units and students, unless the district hides them.
    ViewRanks,
    /// Masked 身份证号 on student pages and lists.
    ViewIdNumbers,
    /// Accounts: create, (de)activate.
    ManageUsers,
    /// The audit log.
    ViewAudit,
    /// District settings.
    ManageSettings,
    /// The national fitness upload file (a whole school's health data with full 学籍号): only
    /// the roles that submit it.
    ExportFitnessUpload,
    /// The import centre: upload, preview, confirm and undo imports (a school admin: their school).
    ManageImports,
    /// 账号管理: reset a password to a one-time password, unlock a slowed-down sign-in, open
    /// accounts in bulk (a school admin: the accounts of their school).
    ManageAccounts,
    /// 我的孩子: a parent links further children (学籍号 + binding code) and chooses whose pages
    /// to see.
    LinkChildren,
}

use Capability as C;
use Role as R;

/// Every capability and the roles granted it. One row per capability; a role not listed is
/// refused.
pub const GRANTS: &[(Capability, &[Role])] = &[
    (C::DistrictOverview, &[R::DistrictAdmin, R::DistrictAnalyst]),
    (
        C::ViewRoster,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
            R::Counsellor,
        ],
    ),
    (
        C::ViewFitness,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
        ],
    ),
    (
        C::ViewStudentFitness,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
            R::Parent,
        ],
    ),
    (
        C::ViewExams,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
        ],
    ),
    (
        C::ExportDistrictExam,
        &[R::DistrictAdmin, R::DistrictAnalyst],
    ),
    (
        C::ViewExamAlerts,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (
        C::ViewRanks,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (C::ViewIdNumbers, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ManageUsers, &[R::DistrictAdmin]),
    (C::ViewAudit, &[R::DistrictAdmin]),
    (C::ManageSettings, &[R::DistrictAdmin]),
    (C::ExportFitnessUpload, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ManageImports, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ManageAccounts, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::LinkChildren, &[R::Parent]),
];

/// Does `role` have `capability`?
pub fn grants(role: Role, capability: Capability) -> bool {
    GRANTS
        .iter()
        .any(|(c, roles)| *c == capability && roles.contains(&role))
}

/// The caller of one request (or CLI command): who, in which role, reaching which data.
/// Built once per request from the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user: User,
    pub scope: Scope,
}

impl Viewer {
    pub fn new(user: User, scope: Scope) -> Self {
        Self { user, scope }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn can(&self, capability: Capability) -> bool {
        grants(self.user.role, capability)
    }

    /// The right to see ranks, if the role has it. The district's `hide_ranks` setting is
    /// applied by the service on top of this.
    pub fn ranks_token(&self) -> Option<RanksToken> {
        self.can(C::ViewRanks).then_some(RanksToken(()))
    }

    /// The right to unscoped administration, for district admins.
    pub fn admin_token(&self) -> Option<AdminToken> {
        (self.can(C::ManageUsers) && self.scope.is_district()).then_some(AdminToken(()))
    }
}

/// Proof that ranks may be shown to this caller. Only [`Viewer::ranks_token`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RanksToken(());

/// Proof of unscoped administrative rights: a district admin's request, or the server's own
/// operator at the command line ([`AdminToken::operator`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminToken(());

impl AdminToken {
    /// The operator of the server (the `wuyu` CLI runs with the database's own rights).
    pub fn operator() -> Self {
        AdminToken(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SchoolId, UserId};

    fn viewer(role: Role, scope: Scope) -> Viewer {
        Viewer::new(
            User {
                id: UserId(1),
                username: "u".into(),
                display_name: "u".into(),
                role,
                school_id: scope.school_id(),
                teacher_id: None,
                student_id: None,
            },
            scope,
        )
    }

    #[test]
    fn every_capability_has_exactly_one_row() {
        let all = [
            C::DistrictOverview,
            C::ViewRoster,
            C::ViewFitness,
            C::ViewStudentFitness,
            C::ViewExams,
            C::ExportDistrictExam,
            C::ViewExamAlerts,
            C::ViewRanks,
            C::ViewIdNumbers,
            C::ManageUsers,
            C::ViewAudit,
            C::ManageSettings,
            C::ExportFitnessUpload,
            C::ManageImports,
            C::ManageAccounts,
            C::LinkChildren,
        ];
        for c in all {
            assert_eq!(GRANTS.iter().filter(|(g, _)| *g == c).count(), 1, "{c:?}");
        }
        assert_eq!(GRANTS.len(), all.len());
    }

    #[test]
    fn parents_and_counsellors_get_what_the_design_says() {
        assert!(grants(R::Parent, C::ViewStudentFitness));
        assert!(!grants(R::Parent, C::ViewFitness));
        assert!(!grants(R::Parent, C::ViewRanks));
        assert!(!grants(R::Counsellor, C::ViewFitness));
        assert!(!grants(R::Counsellor, C::ViewExams));
        assert!(grants(R::Counsellor, C::ViewRoster));
        assert!(!grants(R::Teacher, C::ViewExamAlerts));
        // The upload file goes to the roles that submit it, not to analysts or teachers.
        assert!(grants(R::SchoolAdmin, C::ExportFitnessUpload));
        assert!(!grants(R::DistrictAnalyst, C::ExportFitnessUpload));
        assert!(!grants(R::Teacher, C::ExportFitnessUpload));
        // The rank grant is the role rule that existed before the table.
        for r in Role::ALL {
            assert_eq!(grants(r, C::ViewRanks), r.may_see_ranks(), "{r:?}");
        }
    }

    #[test]
    fn tokens_need_the_grant() {
        let d = viewer(R::DistrictAdmin, Scope::District);
        assert!(d.ranks_token().is_some() && d.admin_token().is_some());
        let a = viewer(R::DistrictAnalyst, Scope::District);
        assert!(a.ranks_token().is_some() && a.admin_token().is_none());
        let t = viewer(
            R::Teacher,
            Scope::Classes {
                school_id: SchoolId(1),
                class_ids: Default::default(),
            },
        );
        assert!(t.ranks_token().is_none() && t.admin_token().is_none());
    }
}
