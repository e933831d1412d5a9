//! Turning a generated network into the engine's [`TrustGraph`], as the start-up loader would.

use crate::graph::{BuildReport, GraphBuilder, GraphError, ProviderInfo, TrustGraph};

use super::SynthNetwork;

impl SynthNetwork {
    /// A builder holding everything: people (named "Person N"), providers, trust edges and
    /// vouches of strength 1, in the order the start-up loader gives them.
    ///
    /// # Errors
    /// Whatever the builder refuses; a generated network never has self-loops, so in practice
    /// only [`GraphError::TooManyTrades`].
    pub fn graph_builder(&self) -> Result<GraphBuilder, GraphError> {
        let edges = self.trust_edges.len() + self.vouches.len();
        let mut builder = GraphBuilder::with_capacity(self.people.len(), edges);
        for &person in &self.people {
            builder.person(person, &SynthNetwork::person_name(person));
        }
        for provider in &self.providers {
            builder.provider(ProviderInfo {
                id: provider.id,
                name: SynthNetwork::provider_name(provider.id),
                owner: provider.owner,
                trades: provider.trades.clone(),
                lat: provider.lat,
                lon: provider.lon,
                radius_km: provider.radius_km,
            })?;
        }
        for edge in &self.trust_edges {
            builder.trust(edge.from, edge.to, edge.level, edge.visibility)?;
        }
        for vouch in &self.vouches {
            builder.vouch(
                vouch.person,
                vouch.provider,
                vouch.trade,
                vouch.stance,
                vouch.visibility,
                1.0,
            )?;
        }
        Ok(builder)
    }

    /// The engine's graph of this network.
    ///
    /// # Errors
    /// See [`SynthNetwork::graph_builder`].
    pub fn build_graph(&self) -> Result<(TrustGraph, BuildReport), GraphError> {
        Ok(self.graph_builder()?.build())
    }
}

#[cfg(test)]
mod tests {
    use crate::synth::{generate, SynthConfig};

    #[test]
    fn the_built_graph_holds_every_generated_edge() {
        let config = SynthConfig::small(2);
        let net = generate(&config);
        let (graph, report) = net.build_graph().unwrap();
        assert_eq!(report.duplicates_replaced, 0);
        assert_eq!(report.vouches_for_unknown_providers, 0);
        assert_eq!(graph.person_count(), config.people);
        assert_eq!(graph.provider_count(), config.providers);
        assert_eq!(graph.trust_edge_count(), config.trust_edges);
        assert_eq!(graph.vouch_count(), config.vouches);
    }
}
