//! Item analysis of one subject: the district-wide analysis and per-class difficulty and
//! knowledge-point mastery.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wuyu_analytics::items::{
    ItemAnalysis, ItemAnalysisOptions, ItemMatrix, MasteryCell, item_analysis,
    knowledge_point_mastery,
};
use wuyu_domain::ExamItem;

use super::model::ExamUnit;

use super::*;

// --- items -----------------------------------------------------------------------------------

/// The district-wide item analysis of one subject (`exam_stat`, kind `items`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItems {
    pub knowledge_points: Vec<Vec<String>>,
    pub analysis: ItemAnalysis,
}

/// One class's item difficulties and knowledge-point mastery (`exam_school_stat`, kind
/// `item_class`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredClassItems {
    pub unit: ExamUnit,
    pub difficulty: Vec<Option<f64>>,
    pub mastery: Vec<MasteryCell>,
}

/// Item analysis of one subject over the students with item points (absent students have
/// none), per-class difficulty (得分率 per item: the mastery of a one-item "tag") and
/// knowledge-point mastery per class. `rows` must be sorted by student key.
pub fn item_rows(
    subject: &str,
    items: &[ExamItem],
    rows: &[(Key, Vec<f64>)],
    names: &Names,
) -> Result<Option<(ExamStatW, Vec<SchoolStatW>)>, String> {
    let k = items.len();
    if rows.is_empty() || k < 2 {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(rows.len() * k);
    for (_, p) in rows {
        data.extend_from_slice(p);
    }
    let matrix = ItemMatrix::new(
        rows.len(),
        data,
        items.iter().map(|i| i.max_points).collect(),
    )
    .and_then(|m| m.with_names(items.iter().map(|i| i.item_no.clone()).collect()))
    .map_err(err)?;
    let analysis = item_analysis(&matrix, &ItemAnalysisOptions::default()).map_err(err)?;
    let groups: Vec<String> = rows
        .iter()
        .map(|(key, _)| format!("{}/{}", key.school_id, key.class_id))
        .collect();
    // Per-class difficulty: each item as its own tag, zero-padded so tags sort in item order.
    let item_tags: Vec<Vec<String>> = (0..k).map(|j| vec![format!("{j:05}")]).collect();
    let per_item = knowledge_point_mastery(&matrix, &item_tags, &groups).map_err(err)?;
    let tags: Vec<Vec<String>> = items.iter().map(|i| i.knowledge_points.clone()).collect();
    let tagged = tags.iter().any(|t| !t.is_empty());
    let mastery = if tagged {
        knowledge_point_mastery(&matrix, &tags, &groups).map_err(err)?
    } else {
        Vec::new()
    };
    let mut by_group: BTreeMap<String, StoredClassItems> = BTreeMap::new();
    let unit_of = |g: &str| -> (i64, i64) {
        let (s, c) = g.split_once('/').unwrap_or(("0", "0"));
        (s.parse().unwrap_or(0), c.parse().unwrap_or(0))
    };
    for cell in per_item {
        let e = by_group.entry(cell.group.clone()).or_insert_with(|| {
            let (s, c) = unit_of(&cell.group);
            StoredClassItems {
                unit: names.class_unit(s, c),
                difficulty: Vec::with_capacity(k),
                mastery: Vec::new(),
            }
        });
        e.difficulty.push(Some(cell.score_rate));
    }
    for cell in mastery {
        if let Some(e) = by_group.get_mut(&cell.group) {
            e.mastery.push(cell);
        }
    }
    let mut class_rows = Vec::with_capacity(by_group.len());
    for (g, v) in by_group {
        let (s, c) = unit_of(&g);
        class_rows.push(SchoolStatW {
            school_id: s,
            kind: "item_class",
            class_id: c,
            subject: subject.to_string(),
            payload: json(&v)?,
        });
    }
    let stored = StoredItems {
        knowledge_points: tags,
        analysis,
    };
    Ok(Some((
        ExamStatW {
            kind: "items",
            unit: String::new(),
            subject: subject.to_string(),
            payload: json(&stored)?,
        },
        class_rows,
    )))
}
