//! Sink hits: what reaches a sink inside the function being analysed. Tag origins
//! become flows at once; parameter origins become edges of the reach graph
//! ([`super::reach`]), and flows wherever a caller passes tagged data in.

use std::sync::Arc;

use super::frame::Frame;
use super::reach::{ParamPart, Target};
use super::value::{Origin, Step, Taint};
use super::{FlowFact, tag_origins};
use crate::index::Location;

impl Frame<'_, '_> {
    /// Records what `taint` brings to `sink` at `site`: tag origins become flows,
    /// parameter origins edges to the sink.
    pub fn hit(&mut self, sink: &str, site: Location, mut taint: Taint) {
        // A sink inside workspace macro expansions: the trace names each macro, inside
        // out (the site is the outermost invocation).
        for note in self.expanding.iter().rev() {
            let step = Step {
                location: site,
                note: note.clone(),
            };
            taint = taint.with_step(&step);
        }
        for (category, source, field_purposes, trace) in tag_origins(&taint) {
            // A loop's body runs more than once: each flow is recorded once.
            let sink: Arc<str> = Arc::from(sink);
            let key = (site, sink.clone(), category.clone(), source);
            if !self.flow_keys.insert(key) {
                continue;
            }
            self.flows.push(FlowFact {
                category: category.clone(),
                sink,
                site,
                source,
                trace: trace.steps(),
                purposes: self.purposes.iter().cloned().collect(),
                field_purposes: field_purposes.map(|purposes| purposes.to_vec()),
                allows: self.allows.clone(),
                function: self.fn_id,
            });
        }
        let mut target = None;
        for (origin, trace) in taint.0.iter() {
            if let Origin::Param { index, path } = origin {
                let to = target
                    .get_or_insert_with(|| Target::Sink {
                        sink: Arc::from(sink),
                        site,
                    })
                    .clone();
                self.reach_from(*index, path, to, trace);
            }
        }
    }

    /// Data in part `path` of parameter `index` goes on to `to`.
    pub(super) fn reach_from(
        &mut self,
        index: usize,
        path: &super::value::PartPath,
        to: Target,
        trace: &super::value::Trace,
    ) {
        let from: ParamPart = (self.fn_id, index, path.clone());
        self.reaches.insert((index, path.clone()));
        self.reach.edge(from, to, trace);
    }
}
