//! Which of one owner's edges a viewer may see: the privacy rule's answer for one owner
//! (`visibility.rs` decides it). Apart, so that what needs only the answer (the walk, the
//! prior, the walk cache's keys) depends on nothing else.

use crate::domain::Visibility;

/// Which of one owner's edges a viewer may see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Access {
    pub(super) network: bool,
    pub(super) private: bool,
}

impl Access {
    /// Public edges only: what anonymous visitors and the global prior see.
    pub(crate) const PUBLIC: Access = Access {
        network: false,
        private: false,
    };

    /// Whether an edge of this visibility is visible.
    pub(crate) fn allows(self, visibility: Visibility) -> bool {
        match visibility {
            Visibility::Public => true,
            Visibility::Network => self.network,
            Visibility::Private => self.private,
        }
    }
}
