-- Archive coverage rollup (issue 12): per school, term and class (today's roster), the counts
-- the coverage page and the archive indicators add up, so the district's page reads tens of
-- thousands of class rows instead of joining a million students with ten million records.
-- Rebuilt in the same transaction for the (school, term) pairs a write touches — recording,
-- importing, reviewing, art assessments and their undo — for every school when the term has
-- no rows yet (a school with nothing recorded still shows its students), and for every term
-- of the schools a roster import touches. Labor hours are judged over the store's term weeks.
CREATE TABLE archive_rollup (
    school_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    class_id INTEGER NOT NULL,
    students INTEGER NOT NULL,
    art_covered INTEGER NOT NULL,
    off_campus_covered INTEGER NOT NULL,
    off_campus_records INTEGER NOT NULL,
    labor_met INTEGER NOT NULL,
    volunteer_tenths INTEGER NOT NULL,
    art_assessed INTEGER NOT NULL,
    art_excellent INTEGER NOT NULL,
    art_passed INTEGER NOT NULL,
    home_visited INTEGER NOT NULL,
    labor_week_students INTEGER NOT NULL,
    PRIMARY KEY (term, school_id, class_id)
);
