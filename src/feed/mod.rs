//! Keeping the in-memory trust graph equal to the database: the live graph that applies the
//! recorded changes (`domain::GraphChange`), and the follower that wakes on Postgres
//! notifications or polls a standby; and the providers' responsiveness, the other in-memory
//! view searches read.

pub mod follow;
pub mod live;
pub mod pace;

pub use live::LiveGraph;
pub use pace::PaceBoard;
