//! The access policy as data: who may do what is one table, [`GRANTS`], the code twin of the
//! role × route test matrix. Navigation, the web's `Require<Cap>` extractors and the service
//! all ask [`grants`]; nothing else decides by role.
//!
//! *What* a caller may read within a capability is their [`Scope`] (their school, their
//! classes, their child), which the store turns into SQL. Rights that must not be skipped are
//! typed tokens: a read model that can carry ranks takes a [`RanksToken`], unscoped
//! administrative operations take an [`AdminToken`]; neither can be made without the grant.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{ClassId, Role, SchoolId, Scope, StudentId, User};

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
    /// Record the district's decision on a parallel-class alert (低聘 / 调离 / 不予处理 / 待复核).
    DecideExamAlerts,
    /// Ranks of units and students, unless the district hides them.
    ViewRanks,
    /// Masked 身份证号 on student pages and lists.
    ViewIdNumbers,
    /// 特殊群体 flags (残疾, 留守, 困境) of a student: district and school admins, and a
    /// teacher only for the classes they are 班主任 of. Every read is audited.
    ViewStudentFlags,
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
    /// 单条更正: correct one student's fitness results of a term (a teacher: their classes).
    FixFitnessRecords,
    /// 心理健康: a school's screening answers, scores, crisis cases and consent (the school's
    /// counsellor; need to know).
    ViewPsychRecords,
    /// 心理健康 flags (关注等级 and the tasks given) of the classes the caller is 班主任 of.
    ViewPsychFlags,
    /// 心理健康 aggregates, every cell under 10 students suppressed; no individuals.
    ViewPsychAggregates,
    /// Break-glass: one student's psychological record with a typed reason, audited and shown
    /// on the counsellor's page.
    PsychBreakGlass,
    /// A parent's own child's screening consent.
    ViewChildPsychConsent,
    /// Load a district-supplied scale definition (a new version; under the district's own
    /// licence). Every load is audited.
    LoadPsychScales,
    /// The district's scale definitions and their versions (to name one in a campaign).
    ViewPsychScales,
    /// Surveys: build, publish and close questionnaires, make response links (a school admin:
    /// links for their school).
    ManageSurveys,
    /// Survey results (aggregates with small-group suppression) within the scope.
    ViewSurveyResults,
    /// 师德评价 results of named teachers: staff data, so the school's admin and district roles,
    /// never other teachers; every read is audited.
    ViewTeacherSurveyResults,
    /// 家长确认: a family confirms their child's semester archive during its 公示.
    ConfirmArchive,
    /// Free-text survey answers (意见和建议): the school's admin and district roles only, as
    /// they may name people; every read is audited.
    ViewSurveyTexts,
    /// The plan's targets and verdicts (目标任务; a school admin: their own school's).
    ViewPlan,
    /// 调度与通报: take a month's snapshot of the plan's verdicts, make the quarterly bulletin
    /// (district roles).
    PlanBulletin,
    /// 账号管理: reset a password to a one-time password, unlock a slowed-down sign-in, open
    /// accounts in bulk (a school admin: the accounts of their school).
    ManageAccounts,
    /// 我的孩子: a parent links further children (学籍号 + binding code) and chooses whose pages
    /// to see.
    LinkChildren,
    /// 综合素质档案: record activities (a teacher for their classes, a parent for their own
    /// child, a school admin for the school).
    RecordActivities,
    /// Approve or return submitted activity records (a teacher: as 班主任 of the class).
    ReviewActivities,
    /// One student's archive (a parent: their own child).
    ViewStudentArchive,
    /// Archive coverage of schools and classes (art, 校外实践, labor hours, volunteer hours).
    ViewArchiveCoverage,
    /// A class's report cards (综合素质评价报告) as one file for printing.
    PrintReportCards,
    /// 教师考核: a school's appraisal and the teachers' training and titles (personnel data,
    /// audited on read; a teacher: their own record and result only).
    ViewStaffAppraisal,
    /// Import appraisal inputs, training and titles, and start the 公示 (a school admin: their
    /// school).
    ManageStaffAppraisal,
    /// Approve a school's appraisal after its 公示, and answer appeals.
    ApproveStaffAppraisal,
    /// 填报: enter the values of the plan's reported targets with evidence (a school admin:
    /// their school's; a district admin: the district's own lines).
    SubmitPlanReports,
    /// 审核: approve or return reported values, lock a school year's reporting.
    ReviewPlanReports,
    /// 编辑目标: change an indicator's unit, the units it applies to and its yearly targets.
    EditPlan,
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
    (C::DecideExamAlerts, &[R::DistrictAdmin]),
    (
        C::ViewRanks,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (C::ViewIdNumbers, &[R::DistrictAdmin, R::SchoolAdmin]),
    (
        C::ViewStudentFlags,
        &[R::DistrictAdmin, R::SchoolAdmin, R::Teacher],
    ),
    (C::ManageUsers, &[R::DistrictAdmin]),
    (C::ViewAudit, &[R::DistrictAdmin]),
    (C::ManageSettings, &[R::DistrictAdmin]),
    (C::ExportFitnessUpload, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ManageImports, &[R::DistrictAdmin, R::SchoolAdmin]),
    (
        C::FixFitnessRecords,
        &[R::DistrictAdmin, R::SchoolAdmin, R::Teacher],
    ),
    (C::ViewPsychRecords, &[R::Counsellor]),
    (C::ViewPsychFlags, &[R::Teacher]),
    (
        C::ViewPsychAggregates,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Counsellor,
        ],
    ),
    (C::PsychBreakGlass, &[R::DistrictAdmin]),
    (C::ViewChildPsychConsent, &[R::Parent]),
    (C::LoadPsychScales, &[R::DistrictAdmin]),
    (C::ViewPsychScales, &[R::DistrictAdmin, R::Counsellor]),
    (C::ManageSurveys, &[R::DistrictAdmin, R::SchoolAdmin]),
    (
        C::ViewSurveyResults,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (
        C::ViewTeacherSurveyResults,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (
        C::ViewSurveyTexts,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (C::ConfirmArchive, &[R::Parent]),
    (
        C::ViewPlan,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (C::PlanBulletin, &[R::DistrictAdmin, R::DistrictAnalyst]),
    (C::ManageAccounts, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::LinkChildren, &[R::Parent]),
    (
        C::RecordActivities,
        &[R::SchoolAdmin, R::Teacher, R::Parent],
    ),
    (C::ReviewActivities, &[R::SchoolAdmin, R::Teacher]),
    (
        C::ViewStudentArchive,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
            R::Parent,
        ],
    ),
    (
        C::ViewArchiveCoverage,
        &[R::DistrictAdmin, R::DistrictAnalyst, R::SchoolAdmin],
    ),
    (
        C::PrintReportCards,
        &[R::DistrictAdmin, R::SchoolAdmin, R::Teacher],
    ),
    (
        C::ViewStaffAppraisal,
        &[
            R::DistrictAdmin,
            R::DistrictAnalyst,
            R::SchoolAdmin,
            R::Teacher,
        ],
    ),
    (C::ManageStaffAppraisal, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ApproveStaffAppraisal, &[R::DistrictAdmin]),
    (C::SubmitPlanReports, &[R::DistrictAdmin, R::SchoolAdmin]),
    (C::ReviewPlanReports, &[R::DistrictAdmin]),
    (C::EditPlan, &[R::DistrictAdmin]),
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

    /// The right to one school's individual psychological records: the counsellor of that
    /// school, nobody else.
    pub fn psych_token(&self, school: SchoolId) -> Option<PsychToken> {
        match self.scope {
            Scope::Counsellor { school_id }
                if school_id == school && self.can(C::ViewPsychRecords) =>
            {
                Some(PsychToken { school })
            }
            _ => None,
        }
    }

    /// Break-glass: a district admin reading one student's record, with a typed reason (at
    /// least a few characters; the service audits it before anything is read).
    pub fn break_glass(
        &self,
        school: SchoolId,
        student: StudentId,
        reason: &str,
    ) -> Option<BreakGlassToken> {
        let reason = reason.trim();
        (self.can(C::PsychBreakGlass)
            && self.scope.is_district()
            && reason.chars().count() >= MIN_BREAK_GLASS_REASON)
            .then(|| BreakGlassToken {
                school,
                student,
                reason: reason.to_string(),
            })
    }

    /// The right to the flags of the classes the caller is 班主任 of. `head_classes` comes from
    /// the roster's 任课 rows (subject 班主任) of the caller's teacher record; only those also
    /// in the caller's scope count.
    pub fn flags_token(&self, head_classes: &BTreeSet<ClassId>) -> Option<FlagsToken> {
        match &self.scope {
            Scope::Classes {
                school_id,
                class_ids,
            } if self.can(C::ViewPsychFlags) => {
                let classes: BTreeSet<ClassId> =
                    head_classes.intersection(class_ids).copied().collect();
                (!classes.is_empty()).then_some(FlagsToken {
                    school: *school_id,
                    classes,
                })
            }
            _ => None,
        }
    }

    /// The right to unscoped administration, for district admins.
    pub fn admin_token(&self) -> Option<AdminToken> {
        (self.can(C::ManageUsers) && self.scope.is_district()).then_some(AdminToken(()))
    }
}

/// The shortest break-glass reason accepted, in characters.
pub const MIN_BREAK_GLASS_REASON: usize = 4;

/// Proof that the caller is the counsellor of `school`. Only [`Viewer::psych_token`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PsychToken {
    school: SchoolId,
}

impl PsychToken {
    pub fn school(&self) -> SchoolId {
        self.school
    }
}

/// Proof of a district admin's break-glass read of one student, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassToken {
    school: SchoolId,
    student: StudentId,
    reason: String,
}

impl BreakGlassToken {
    pub fn school(&self) -> SchoolId {
        self.school
    }
    pub fn student(&self) -> StudentId {
        self.student
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Proof that the caller is 班主任 of these classes of `school`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagsToken {
    school: SchoolId,
    classes: BTreeSet<ClassId>,
}

impl FlagsToken {
    pub fn school(&self) -> SchoolId {
        self.school
    }
    pub fn classes(&self) -> &BTreeSet<ClassId> {
        &self.classes
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
    use crate::UserId;

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
            C::DecideExamAlerts,
            C::ViewRanks,
            C::ViewIdNumbers,
            C::ViewStudentFlags,
            C::ManageUsers,
            C::ViewAudit,
            C::ManageSettings,
            C::ExportFitnessUpload,
            C::ManageImports,
            C::FixFitnessRecords,
            C::ViewPsychRecords,
            C::ViewPsychFlags,
            C::ViewPsychAggregates,
            C::PsychBreakGlass,
            C::ViewChildPsychConsent,
            C::LoadPsychScales,
            C::ViewPsychScales,
            C::ManageSurveys,
            C::ViewSurveyResults,
            C::ViewTeacherSurveyResults,
            C::ViewSurveyTexts,
            C::ConfirmArchive,
            C::ViewPlan,
            C::PlanBulletin,
            C::ManageAccounts,
            C::LinkChildren,
            C::RecordActivities,
            C::ReviewActivities,
            C::ViewStudentArchive,
            C::ViewArchiveCoverage,
            C::PrintReportCards,
            C::ViewStaffAppraisal,
            C::ManageStaffAppraisal,
            C::ApproveStaffAppraisal,
            C::SubmitPlanReports,
            C::ReviewPlanReports,
            C::EditPlan,
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
        // The district decides on alerts; a school cannot settle its own teachers' alerts.
        assert!(grants(R::DistrictAdmin, C::DecideExamAlerts));
        assert!(!grants(R::SchoolAdmin, C::DecideExamAlerts));
        assert!(!grants(R::DistrictAnalyst, C::DecideExamAlerts));
        // The upload file goes to the roles that submit it, not to analysts or teachers.
        assert!(grants(R::SchoolAdmin, C::ExportFitnessUpload));
        assert!(!grants(R::DistrictAnalyst, C::ExportFitnessUpload));
        assert!(!grants(R::Teacher, C::ExportFitnessUpload));
        // Survey results are aggregates for the district and school admins; parents answer
        // surveys but never read the results, teachers are among those rated.
        assert!(grants(R::SchoolAdmin, C::ViewSurveyResults));
        assert!(!grants(R::Teacher, C::ViewSurveyResults));
        assert!(!grants(R::Parent, C::ViewSurveyResults));
        assert!(!grants(R::DistrictAnalyst, C::ManageSurveys));
        // A named teacher's 师德 results are staff data: not for teachers, not for parents.
        assert!(grants(R::SchoolAdmin, C::ViewTeacherSurveyResults));
        assert!(!grants(R::Teacher, C::ViewTeacherSurveyResults));
        assert!(!grants(R::Counsellor, C::ViewTeacherSurveyResults));
        assert!(grants(R::SchoolAdmin, C::ViewSurveyTexts));
        assert!(!grants(R::Teacher, C::ViewSurveyTexts));
        assert!(!grants(R::Parent, C::ViewSurveyTexts));
        assert!(grants(R::Parent, C::ConfirmArchive));
        assert!(!grants(R::Teacher, C::ConfirmArchive));
        // The archive: a parent reads and adds to their own child's, never reviews; a
        // counsellor's work is mental health.
        assert!(grants(R::Parent, C::ViewStudentArchive));
        assert!(grants(R::Parent, C::RecordActivities));
        assert!(!grants(R::Parent, C::ReviewActivities));
        assert!(!grants(R::Parent, C::ViewArchiveCoverage));
        assert!(!grants(R::Counsellor, C::ViewStudentArchive));
        assert!(!grants(R::Parent, C::PrintReportCards));
        // Appraisal is personnel data: never a parent's or a counsellor's; a school runs its
        // own appraisal, only the district approves it.
        assert!(grants(R::Teacher, C::ViewStaffAppraisal));
        assert!(!grants(R::Parent, C::ViewStaffAppraisal));
        assert!(!grants(R::Counsellor, C::ViewStaffAppraisal));
        assert!(!grants(R::Teacher, C::ManageStaffAppraisal));
        assert!(grants(R::SchoolAdmin, C::ManageStaffAppraisal));
        assert!(!grants(R::SchoolAdmin, C::ApproveStaffAppraisal));
        // The rank grant is the role rule that existed before the table.
        for r in Role::ALL {
            assert_eq!(grants(r, C::ViewRanks), r.may_see_ranks(), "{r:?}");
        }
    }

    #[test]
    fn psych_tokens_reach_only_need_to_know() {
        let (a, b) = (SchoolId(1), SchoolId(2));
        let c = viewer(R::Counsellor, Scope::Counsellor { school_id: a });
        assert!(c.psych_token(a).is_some());
        assert!(c.psych_token(b).is_none(), "another school's counsellor");
        let admin = viewer(R::SchoolAdmin, Scope::School { school_id: a });
        assert!(admin.psych_token(a).is_none());
        let d = viewer(R::DistrictAdmin, Scope::District);
        assert!(d.psych_token(a).is_none());
        assert!(d.break_glass(a, StudentId(7), "  ").is_none(), "no reason");
        assert!(
            d.break_glass(a, StudentId(7), "家长来电求助，核实情况")
                .is_some()
        );
        let analyst = viewer(R::DistrictAnalyst, Scope::District);
        assert!(
            analyst
                .break_glass(a, StudentId(7), "家长来电求助，核实情况")
                .is_none()
        );
        let t = viewer(
            R::Teacher,
            Scope::Classes {
                school_id: a,
                class_ids: [ClassId(10), ClassId(11)].into(),
            },
        );
        let heads: BTreeSet<ClassId> = [ClassId(11), ClassId(12)].into();
        let token = t.flags_token(&heads).unwrap();
        assert_eq!(token.classes(), &[ClassId(11)].into());
        assert!(t.flags_token(&BTreeSet::new()).is_none(), "not a 班主任");
        let p = viewer(
            R::Parent,
            Scope::Parent {
                school_id: a,
                student_ids: [StudentId(7)].into(),
            },
        );
        assert!(p.flags_token(&heads).is_none() && p.psych_token(a).is_none());
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
