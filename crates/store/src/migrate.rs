//! A small migration runner: numbered SQL files per backend, embedded in the binary, applied
//! in order, each in its own transaction, recorded in `schema_migration`. (sqlx's own
//! `migrate!` macro would pull in its compile-time machinery for every driver.)

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "roster",
        sql: include_str!("../migrations/sqlite/0001_roster.sql"),
    },
    Migration {
        version: 2,
        name: "fitness",
        sql: include_str!("../migrations/sqlite/0002_fitness.sql"),
    },
    Migration {
        version: 3,
        name: "exam",
        sql: include_str!("../migrations/sqlite/0003_exam.sql"),
    },
    Migration {
        version: 4,
        name: "fitness_rollup",
        sql: include_str!("../migrations/sqlite/0004_fitness_rollup.sql"),
    },
    Migration {
        version: 5,
        name: "exam_stat_version",
        sql: include_str!("../migrations/sqlite/0005_exam_stat_version.sql"),
    },
    Migration {
        version: 6,
        name: "roster_fields",
        sql: include_str!("../migrations/sqlite/0006_roster_fields.sql"),
    },
    Migration {
        version: 7,
        name: "parallel_review",
        sql: include_str!("../migrations/sqlite/0007_parallel_review.sql"),
    },
    Migration {
        version: 8,
        name: "ingest",
        sql: include_str!("../migrations/sqlite/0008_ingest.sql"),
    },
    Migration {
        version: 9,
        name: "import_centre",
        sql: include_str!("../migrations/sqlite/0009_import_centre.sql"),
    },
    Migration {
        version: 10,
        name: "plan",
        sql: include_str!("../migrations/sqlite/0010_plan.sql"),
    },
    Migration {
        version: 11,
        name: "psych",
        sql: include_str!("../migrations/sqlite/0011_psych.sql"),
    },
    Migration {
        version: 12,
        name: "survey",
        sql: include_str!("../migrations/sqlite/0012_survey.sql"),
    },
    Migration {
        version: 13,
        name: "accounts",
        sql: include_str!("../migrations/sqlite/0013_accounts.sql"),
    },
    Migration {
        version: 14,
        name: "exam_lines",
        sql: include_str!("../migrations/sqlite/0014_exam_lines.sql"),
    },
    Migration {
        version: 15,
        name: "archive",
        sql: include_str!("../migrations/sqlite/0015_archive.sql"),
    },
    Migration {
        version: 16,
        name: "staff",
        sql: include_str!("../migrations/sqlite/0016_staff.sql"),
    },
    Migration {
        version: 17,
        name: "import_undo",
        sql: include_str!("../migrations/sqlite/0017_import_undo.sql"),
    },
    Migration {
        version: 18,
        name: "plan_reports",
        sql: include_str!("../migrations/sqlite/0018_plan_reports.sql"),
    },
    Migration {
        version: 19,
        name: "bulletin",
        sql: include_str!("../migrations/sqlite/0019_bulletin.sql"),
    },
    Migration {
        version: 20,
        name: "archive_publicity",
        sql: include_str!("../migrations/sqlite/0020_archive_publicity.sql"),
    },
    Migration {
        version: 21,
        name: "staff_workflow",
        sql: include_str!("../migrations/sqlite/0021_staff_workflow.sql"),
    },
    Migration {
        version: 22,
        name: "survey_codes",
        sql: include_str!("../migrations/sqlite/0022_survey_codes.sql"),
    },
    Migration {
        version: 23,
        name: "psych_codes",
        sql: include_str!("../migrations/sqlite/0023_psych_codes.sql"),
    },
    Migration {
        version: 24,
        name: "roster_undo",
        sql: include_str!("../migrations/sqlite/0024_roster_undo.sql"),
    },
    Migration {
        version: 25,
        name: "audit_queue",
        sql: include_str!("../migrations/sqlite/0025_audit_queue.sql"),
    },
    Migration {
        version: 26,
        name: "roster_fields_undo",
        sql: include_str!("../migrations/sqlite/0026_roster_fields_undo.sql"),
    },
    Migration {
        version: 27,
        name: "import_journals",
        sql: include_str!("../migrations/sqlite/0027_import_journals.sql"),
    },
    Migration {
        version: 28,
        name: "survey_classes",
        sql: include_str!("../migrations/sqlite/0028_survey_classes.sql"),
    },
    Migration {
        version: 29,
        name: "staff_studio",
        sql: include_str!("../migrations/sqlite/0029_staff_studio.sql"),
    },
    Migration {
        version: 30,
        name: "plan_due_reopen",
        sql: include_str!("../migrations/sqlite/0030_plan_due_reopen.sql"),
    },
    Migration {
        version: 31,
        name: "plan_registry",
        sql: include_str!("../migrations/sqlite/0031_plan_registry.sql"),
    },
    Migration {
        version: 32,
        name: "plan_min_n",
        sql: include_str!("../migrations/sqlite/0032_plan_min_n.sql"),
    },
    Migration {
        version: 33,
        name: "plan_school_sets",
        sql: include_str!("../migrations/sqlite/0033_plan_school_sets.sql"),
    },
    Migration {
        version: 34,
        name: "staff_sources",
        sql: include_str!("../migrations/sqlite/0034_staff_sources.sql"),
    },
    Migration {
        version: 35,
        name: "psych_corrections",
        sql: include_str!("../migrations/sqlite/0035_psych_corrections.sql"),
    },
    Migration {
        version: 36,
        name: "survey_teachers",
        sql: include_str!("../migrations/sqlite/0036_survey_teachers.sql"),
    },
    Migration {
        version: 37,
        name: "archive_evidence",
        sql: include_str!("../migrations/sqlite/0037_archive_evidence.sql"),
    },
    Migration {
        version: 38,
        name: "survey_choice_text",
        sql: include_str!("../migrations/sqlite/0038_survey_choice_text.sql"),
    },
    Migration {
        version: 39,
        name: "psych_scales",
        sql: include_str!("../migrations/sqlite/0039_psych_scales.sql"),
    },
    Migration {
        version: 40,
        name: "appraisal_teaching",
        sql: include_str!("../migrations/sqlite/0040_appraisal_teaching.sql"),
    },
    Migration {
        version: 41,
        name: "archive_confirmation",
        sql: include_str!("../migrations/sqlite/0041_archive_confirmation.sql"),
    },
    Migration {
        version: 43,
        name: "archive_rollup",
        sql: include_str!("../migrations/sqlite/0043_archive_rollup.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "roster",
        sql: include_str!("../migrations/postgres/0001_roster.sql"),
    },
    Migration {
        version: 2,
        name: "fitness",
        sql: include_str!("../migrations/postgres/0002_fitness.sql"),
    },
    Migration {
        version: 3,
        name: "exam",
        sql: include_str!("../migrations/postgres/0003_exam.sql"),
    },
    Migration {
        version: 4,
        name: "fitness_rollup",
        sql: include_str!("../migrations/postgres/0004_fitness_rollup.sql"),
    },
    Migration {
        version: 5,
        name: "exam_stat_version",
        sql: include_str!("../migrations/postgres/0005_exam_stat_version.sql"),
    },
    Migration {
        version: 6,
        name: "roster_fields",
        sql: include_str!("../migrations/postgres/0006_roster_fields.sql"),
    },
    Migration {
        version: 7,
        name: "parallel_review",
        sql: include_str!("../migrations/postgres/0007_parallel_review.sql"),
    },
    Migration {
        version: 8,
        name: "ingest",
        sql: include_str!("../migrations/postgres/0008_ingest.sql"),
    },
    Migration {
        version: 9,
        name: "import_centre",
        sql: include_str!("../migrations/postgres/0009_import_centre.sql"),
    },
    Migration {
        version: 10,
        name: "plan",
        sql: include_str!("../migrations/postgres/0010_plan.sql"),
    },
    Migration {
        version: 11,
        name: "psych",
        sql: include_str!("../migrations/postgres/0011_psych.sql"),
    },
    Migration {
        version: 12,
        name: "survey",
        sql: include_str!("../migrations/postgres/0012_survey.sql"),
    },
    Migration {
        version: 13,
        name: "accounts",
        sql: include_str!("../migrations/postgres/0013_accounts.sql"),
    },
    Migration {
        version: 14,
        name: "exam_lines",
        sql: include_str!("../migrations/postgres/0014_exam_lines.sql"),
    },
    Migration {
        version: 15,
        name: "archive",
        sql: include_str!("../migrations/postgres/0015_archive.sql"),
    },
    Migration {
        version: 16,
        name: "staff",
        sql: include_str!("../migrations/postgres/0016_staff.sql"),
    },
    Migration {
        version: 17,
        name: "import_undo",
        sql: include_str!("../migrations/postgres/0017_import_undo.sql"),
    },
    Migration {
        version: 18,
        name: "plan_reports",
        sql: include_str!("../migrations/postgres/0018_plan_reports.sql"),
    },
    Migration {
        version: 19,
        name: "bulletin",
        sql: include_str!("../migrations/postgres/0019_bulletin.sql"),
    },
    Migration {
        version: 20,
        name: "archive_publicity",
        sql: include_str!("../migrations/postgres/0020_archive_publicity.sql"),
    },
    Migration {
        version: 21,
        name: "staff_workflow",
        sql: include_str!("../migrations/postgres/0021_staff_workflow.sql"),
    },
    Migration {
        version: 22,
        name: "survey_codes",
        sql: include_str!("../migrations/postgres/0022_survey_codes.sql"),
    },
    Migration {
        version: 23,
        name: "psych_codes",
        sql: include_str!("../migrations/postgres/0023_psych_codes.sql"),
    },
    Migration {
        version: 24,
        name: "roster_undo",
        sql: include_str!("../migrations/postgres/0024_roster_undo.sql"),
    },
    Migration {
        version: 25,
        name: "audit_queue",
        sql: include_str!("../migrations/postgres/0025_audit_queue.sql"),
    },
    Migration {
        version: 26,
        name: "roster_fields_undo",
        sql: include_str!("../migrations/postgres/0026_roster_fields_undo.sql"),
    },
    Migration {
        version: 27,
        name: "import_journals",
        sql: include_str!("../migrations/postgres/0027_import_journals.sql"),
    },
    Migration {
        version: 28,
        name: "survey_classes",
        sql: include_str!("../migrations/postgres/0028_survey_classes.sql"),
    },
    Migration {
        version: 29,
        name: "staff_studio",
        sql: include_str!("../migrations/postgres/0029_staff_studio.sql"),
    },
    Migration {
        version: 30,
        name: "plan_due_reopen",
        sql: include_str!("../migrations/postgres/0030_plan_due_reopen.sql"),
    },
    Migration {
        version: 31,
        name: "plan_registry",
        sql: include_str!("../migrations/postgres/0031_plan_registry.sql"),
    },
    Migration {
        version: 32,
        name: "plan_min_n",
        sql: include_str!("../migrations/postgres/0032_plan_min_n.sql"),
    },
    Migration {
        version: 33,
        name: "plan_school_sets",
        sql: include_str!("../migrations/postgres/0033_plan_school_sets.sql"),
    },
    Migration {
        version: 34,
        name: "staff_sources",
        sql: include_str!("../migrations/postgres/0034_staff_sources.sql"),
    },
    Migration {
        version: 35,
        name: "psych_corrections",
        sql: include_str!("../migrations/postgres/0035_psych_corrections.sql"),
    },
    Migration {
        version: 36,
        name: "survey_teachers",
        sql: include_str!("../migrations/postgres/0036_survey_teachers.sql"),
    },
    Migration {
        version: 37,
        name: "archive_evidence",
        sql: include_str!("../migrations/postgres/0037_archive_evidence.sql"),
    },
    Migration {
        version: 38,
        name: "survey_choice_text",
        sql: include_str!("../migrations/postgres/0038_survey_choice_text.sql"),
    },
    Migration {
        version: 39,
        name: "psych_scales",
        sql: include_str!("../migrations/postgres/0039_psych_scales.sql"),
    },
    Migration {
        version: 40,
        name: "appraisal_teaching",
        sql: include_str!("../migrations/postgres/0040_appraisal_teaching.sql"),
    },
    Migration {
        version: 41,
        name: "archive_confirmation",
        sql: include_str!("../migrations/postgres/0041_archive_confirmation.sql"),
    },
    Migration {
        version: 43,
        name: "archive_rollup",
        sql: include_str!("../migrations/postgres/0043_archive_rollup.sql"),
    },
];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let s: Vec<_> = SQLITE.iter().map(|m| (m.version, m.name)).collect();
        let p: Vec<_> = POSTGRES.iter().map(|m| (m.version, m.name)).collect();
        assert_eq!(s, p);
        assert!(s.windows(2).all(|w| w[0].0 < w[1].0), "versions ascend");
    }
}
