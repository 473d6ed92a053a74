//! The PE teacher's class view: every student of a class with the term's record (or none).
use wuyu_domain::{ClassId, SchoolClass, SchoolId, Term, Viewer};
use wuyu_standards::FitnessItem;
use wuyu_store::{ClassFitnessRow, FitnessRecord};

use super::pick_term;
use crate::{Service, ServiceError};

#[derive(Debug, Clone)]
pub struct ClassView {
    pub school_name: String,
    pub class: SchoolClass,
    /// Terms with records, oldest first.
    pub terms: Vec<Term>,
    pub term: Option<Term>,
    /// The items any record of the class has (scored or missing), in the standard's order.
    pub items: Vec<FitnessItem>,
    /// Every student, by 学籍号, with the term's record if any.
    pub rows: Vec<ClassFitnessRow>,
}

impl ClassView {
    fn records(&self) -> impl Iterator<Item = &FitnessRecord> {
        self.rows.iter().filter_map(|r| r.record.as_ref())
    }

    pub fn enrolled(&self) -> usize {
        self.rows.len()
    }

    pub fn tested(&self) -> usize {
        self.records().count()
    }

    /// Students without a record who are not 免测: still to be tested.
    pub fn missing_test(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.record.is_none() && r.exemption.is_none())
            .count()
    }

    /// Students marked 免测 for the term.
    pub fn exempt(&self) -> usize {
        self.rows.iter().filter(|r| r.exemption.is_some()).count()
    }

    pub fn incomplete(&self) -> usize {
        self.records().filter(|r| !r.complete).count()
    }

    pub fn with_failed_item(&self) -> usize {
        self.records()
            .filter(|r| r.failed_items().next().is_some())
            .count()
    }
}

pub async fn class_view(
    svc: &Service,
    viewer: &Viewer,
    school: SchoolId,
    class: ClassId,
    term_code: Option<&str>,
) -> Result<ClassView, ServiceError> {
    let store = svc.store();
    let school_name = store.school(&viewer.scope, school).await?.name;
    let class = store.class(&viewer.scope, school, class).await?;
    let terms = store.fitness_terms(&viewer.scope).await?;
    let term = pick_term(&terms, term_code)?;
    let rows = match term {
        Some(t) => {
            store
                .class_fitness(&viewer.scope, school, class.id, t)
                .await?
        }
        None => Vec::new(),
    };
    let items = FitnessItem::ALL
        .into_iter()
        .filter(|i| {
            rows.iter()
                .filter_map(|r| r.record.as_ref())
                .any(|rec| rec.item(*i).is_some() || rec.missing.contains(i))
        })
        .collect();
    Ok(ClassView {
        school_name,
        class,
        terms,
        term,
        items,
        rows,
    })
}
