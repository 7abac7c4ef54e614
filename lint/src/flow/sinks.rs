//! Sink hits: what reaches a sink inside the function being analysed. Tag origins
//! become flows at once; parameter origins become part of the summary, and flows at
//! the calls that pass tagged data in.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::frame::Frame;
use super::value::{Origin, Taint};
use super::{FlowFact, SinkHit, tag_origins};
use crate::index::ir::AllowTag;
use crate::index::{FnId, Location};

impl Frame<'_, '_> {
    /// Records what `taint` brings to `sink` at `site` (in function `site_fn`): tag origins
    /// become flows, parameter origins part of the summary.
    pub fn hit(
        &mut self,
        sink: &str,
        site: Location,
        site_fn: FnId,
        taint: Taint,
        purposes: &BTreeSet<String>,
        allows: &[AllowTag],
    ) {
        let mut in_force: BTreeSet<String> = self.purposes.clone();
        in_force.extend(purposes.iter().cloned());
        let mut all_allows = self.allows.clone();
        all_allows.extend(allows.iter().cloned());
        for (category, source, field_purposes, trace) in tag_origins(&taint) {
            // A loop's body runs more than once: each flow is recorded once.
            let key = (site, Arc::from(sink), category.clone(), source);
            if !self.flow_keys.insert(key) {
                continue;
            }
            self.flows.push(FlowFact {
                category: category.to_string(),
                sink: sink.to_owned(),
                site,
                source,
                trace: trace.steps(),
                purposes: in_force.iter().cloned().collect(),
                field_purposes: field_purposes.map(|purposes| purposes.to_vec()),
                allows: all_allows.clone(),
                function: site_fn,
            });
        }
        let from_params = Taint::from_map(
            taint
                .0
                .iter()
                .map(|(origin, trace)| (origin.clone(), trace.clone()))
                .filter(|(origin, _)| matches!(origin, Origin::Param { .. }))
                .collect(),
        );
        if !from_params.is_empty() {
            let mut hit_purposes = self.declared_purposes.clone();
            hit_purposes.extend(purposes.iter().cloned());
            // One hit per sink call: recursion would otherwise copy hits back and
            // forth between callers and callees, doubling them on every pass.
            if let Some(existing) = self
                .hits
                .iter_mut()
                .find(|hit| hit.sink == sink && hit.site == site)
            {
                existing.taint.join(&from_params);
                existing
                    .purposes
                    .retain(|purpose| hit_purposes.contains(purpose));
                for allow in all_allows {
                    if !existing.allows.iter().any(|known| known.flow == allow.flow) {
                        existing.allows.push(allow);
                    }
                }
                return;
            }
            self.hits.push(SinkHit {
                sink: sink.to_owned(),
                site,
                taint: from_params,
                purposes: hit_purposes,
                allows: all_allows,
                function: site_fn,
            });
        }
    }
}
