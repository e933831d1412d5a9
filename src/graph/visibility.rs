//! The privacy rule: which edges a seeker's query may use.
//!
//! An edge belongs to its source, who chose its visibility. For a seeker S, an edge owned by u
//! is visible iff it is `Public`; or u == S; or it is `Network` and u trusts S directly. Every
//! score, count and path computed for S uses visible edges only, so nothing S sees can depend
//! on an edge S may not see. Anonymous queries see public edges only.
//!
//! "u trusts S directly" means: u has a trust edge u -> S *that S may see*, i.e. a public or
//! network one (a network edge u -> S is visible to S by this very rule). A private edge u -> S
//! does not count: if it did, S could detect it by watching u's network edges appear in their
//! results, and a private edge would not be private.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashSet;

use crate::domain::{PersonId, Visibility};

pub(crate) use super::access::Access;
use super::trust_graph::TrustGraph;
use super::weights::EdgeKind;

/// On whose behalf a query runs. A partner's server that shows a linked visitor their view
/// sees less than the visitor would: the visitor consented to share their own ranking, not
/// what they keep private, and the people who let the visitor see their network-only edges
/// consented to nothing at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The seeker themself: everything the privacy rule above lets them see.
    #[default]
    Seeker,
    /// A partner acting for the seeker: public edges, plus the seeker's own network-only
    /// edges; nobody's private edges (not even the seeker's), and no one else's network ones.
    Partner,
}

/// Who is asking, and which owners have let them see their network edges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Viewer {
    seeker: Option<NodeIndex>,
    /// The people who trust the seeker directly, computed once per query.
    trusters: FxHashSet<NodeIndex>,
    /// What the seeker's own edges show: all of them to the seeker, the network-only ones
    /// too to a partner.
    own: Access,
}

impl Viewer {
    /// The view of an anonymous visitor, or of a seeker unknown to the graph: public edges only.
    pub(crate) fn anonymous() -> Viewer {
        Viewer::default()
    }

    /// The view of `seeker`, for themself.
    ///
    /// # Complexity
    /// O(in-degree of the seeker), to collect the people who trust them.
    pub(crate) fn new(graph: &TrustGraph, seeker: Option<PersonId>) -> Viewer {
        Viewer::for_audience(graph, seeker, Audience::Seeker)
    }

    /// The view of `seeker`, for `audience`.
    ///
    /// # Complexity
    /// O(in-degree of the seeker) for the seeker themself, O(1) for a partner.
    pub(crate) fn for_audience(
        graph: &TrustGraph,
        seeker: Option<PersonId>,
        audience: Audience,
    ) -> Viewer {
        let Some(seeker) = seeker.and_then(|id| graph.person_node(id)) else {
            return Viewer::anonymous();
        };
        if audience == Audience::Partner {
            return Viewer {
                seeker: Some(seeker),
                trusters: FxHashSet::default(),
                own: Access {
                    network: true,
                    private: false,
                },
            };
        }
        let trusters = graph
            .in_edges(seeker)
            .filter(|edge| {
                let weight = edge.weight();
                weight.kind() == EdgeKind::Trust && weight.visibility() != Visibility::Private
            })
            .map(|edge| edge.source())
            .collect();
        Viewer {
            seeker: Some(seeker),
            trusters,
            own: Access {
                network: true,
                private: true,
            },
        }
    }

    /// Whose walk this viewer's is, for remembering it (`walk_cache.rs`): the seeker and what
    /// their own edges show; `None` for an anonymous viewer, whose walk is empty anyway.
    pub(crate) fn walk_owner(&self) -> Option<(NodeIndex, Access)> {
        Some((self.seeker?, self.own))
    }

    /// The seeker's node, if there is a seeker the graph knows.
    pub(crate) fn seeker(&self) -> Option<NodeIndex> {
        self.seeker
    }

    /// Which of `owner`'s edges this viewer may see.
    pub(crate) fn access_to(&self, owner: NodeIndex) -> Access {
        if self.seeker == Some(owner) {
            return self.own;
        }
        Access {
            network: self.trusters.contains(&owner),
            private: false,
        }
    }

    /// Whether this viewer may see an edge owned by `owner` with this visibility.
    pub(crate) fn can_see(&self, owner: NodeIndex, visibility: Visibility) -> bool {
        visibility == Visibility::Public || self.access_to(owner).allows(visibility)
    }
}
