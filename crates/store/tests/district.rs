//! The district fixture the store, web and CLI tests share (`wuyu_testkit::district`) loads into
//! both backends the same way: the schools, classes, students and users a test relies on are
//! there with the ids `load` reports, and a school's scope sees only that school.
use wuyu_domain::{SchoolId, Scope};
use wuyu_store::Store;
use wuyu_testkit::{child_student_no, district, story};

async fn the_district_fixture_loads(store: &dyn Store) {
    let ids = district::load(store).await;
    let d = Scope::District;
    let schools = store.list_schools(&d).await.unwrap();
    let mut names: Vec<&str> = schools.iter().map(|s| s.school.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["柳林小学", "第一实验中学"]);

    let a = store
        .list_students(&d, SchoolId(ids.school_a), None)
        .await
        .unwrap();
    let b = store
        .list_students(&d, SchoolId(ids.school_b), None)
        .await
        .unwrap();
    assert_eq!((a.len(), b.len()), (5, 3));
    let child = a.iter().find(|s| s.id.0 == ids.child).unwrap();
    assert_eq!(child.student_no.as_str(), child_student_no());

    let classes = store
        .list_classes(&d, SchoolId(ids.school_a))
        .await
        .unwrap();
    assert_eq!(classes.len(), 3);
    assert!(classes.iter().any(|c| c.class.id.0 == ids.class_a7_1));
    assert_eq!(ids.users.len(), 9);

    let school_b = Scope::School {
        school_id: SchoolId(ids.school_b),
    };
    let seen = store.list_schools(&school_b).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].school.name, "柳林小学");
}

story!(the_district_fixture_loads);
