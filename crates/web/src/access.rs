//! Handler extractors for the access policy: `Require<cap::X>` admits a signed-in caller whose
//! role has capability X in the one table (`wuyu_domain::GRANTS`) and answers 403 otherwise,
//! before the handler reads anything. The API twin `ApiRequire` answers as the API does.
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use wuyu_domain::{Capability, Viewer, grants};

use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// A capability as a type, for [`Require`].
pub(crate) trait Cap {
    const CAP: Capability;
}

/// One marker type per capability the handlers require.
macro_rules! caps {
    ($($name:ident),* $(,)?) => {
        // A marker for every capability in the table, whether or not a handler requires it yet.
        #[allow(dead_code)]
        pub(crate) mod cap {
            $(
                pub(crate) enum $name {}
                impl super::Cap for $name {
                    const CAP: wuyu_domain::Capability = wuyu_domain::Capability::$name;
                }
            )*
        }
    };
}

caps!(
    DistrictOverview,
    ViewRoster,
    ViewFitness,
    ViewStudentFitness,
    ViewExams,
    ExportDistrictExam,
    ViewExamAlerts,
    DecideExamAlerts,
    ViewStudentFlags,
    ManageUsers,
    ViewAudit,
    ManageSettings,
    ExportFitnessUpload,
    ManageImports,
    FixFitnessRecords,
    ViewPsychRecords,
    ViewPsychFlags,
    ViewPsychAggregates,
    PsychBreakGlass,
    ViewChildPsychConsent,
    LoadPsychScales,
    ViewPsychScales,
    ManageSurveys,
    ViewSurveyResults,
    ViewTeacherSurveyResults,
    ViewSurveyTexts,
    ConfirmArchive,
    ViewPlan,
    PlanBulletin,
    ManageAccounts,
    LinkChildren,
    RecordActivities,
    ReviewActivities,
    ViewStudentArchive,
    ViewArchiveCoverage,
    PrintReportCards,
    ViewStaffAppraisal,
    ManageStaffAppraisal,
    ApproveStaffAppraisal,
    SubmitPlanReports,
    ReviewPlanReports,
    EditPlan,
);

/// A signed-in page caller granted `C`.
pub(crate) struct Require<C>(pub CurrentUser, pub PhantomData<C>);

impl<C: Cap> FromRequestParts<AppState> for Require<C> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let me = CurrentUser::from_request_parts(parts, state).await?;
        if !grants(me.role(), C::CAP) {
            return Err(AppError::Forbidden);
        }
        Ok(Require(me, PhantomData))
    }
}

/// A signed-in API caller granted `C`.
pub(crate) struct ApiRequire<C>(pub CurrentUser, pub PhantomData<C>);

impl<C: Cap> FromRequestParts<AppState> for ApiRequire<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Require::<C>::from_request_parts(parts, state)
            .await
            .map(|Require(me, _)| ApiRequire(me, PhantomData))
            .map_err(ApiError)
    }
}

impl CurrentUser {
    /// The caller as the service sees them.
    pub fn viewer(&self) -> Viewer {
        Viewer::new(self.user.clone(), self.scope.clone())
    }
}
