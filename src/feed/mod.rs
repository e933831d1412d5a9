//! Keeping the in-memory trust graph equal to the database: the change records, the live
//! graph that applies them, and the follower that wakes on Postgres notifications.

pub mod change;
pub mod follow;
pub mod live;

pub use change::GraphChange;
pub use live::LiveGraph;
