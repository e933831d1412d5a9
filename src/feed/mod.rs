//! Keeping the in-memory trust graph equal to the database: the change records, the live
//! graph that applies them, and the follower that wakes on Postgres notifications; and the
//! providers' responsiveness, the other in-memory view searches read.

pub mod change;
pub mod follow;
pub mod live;
pub mod pace;

pub use change::GraphChange;
pub use live::LiveGraph;
pub use pace::PaceBoard;
