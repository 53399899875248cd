//! The events of a data-model dataset (`tstats ... from datamodel=...`, `from datamodel:...`,
//! `datamodel ... search`): see [`crate::datamodel`].

use super::Step;
use crate::datamodel::{DataModels, DatasetView};
use crate::event::Record;
use crate::ir::DatamodelStage;

/// Keeps the events of one dataset, each with the dataset's fields.
pub struct Datamodel {
    view: DatasetView,
}

impl Datamodel {
    /// The step for `stage`, with the mappings of `models` (warning there when no
    /// mapping covers the dataset).
    pub fn new(stage: &DatamodelStage, models: &DataModels) -> Self {
        Datamodel {
            view: models.view(&stage.model, stage.dataset.as_deref(), stage.prefixed),
        }
    }
}

impl Step for Datamodel {
    fn push(&mut self, mut row: Record, out: &mut Vec<Record>) {
        if self.view.apply(&mut row) {
            out.push(row);
        }
    }
}
