//! The page chrome: the navigation, the signed-in person and the notice around every page's
//! content (`Chrome::new`, which needs the visitor, is in `page.rs`).

/// Bumped with the crate version, so browsers fetch new files (`assets.rs`) after an upgrade.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The page chrome: who is signed in, where they are, and a notice after a form.
pub struct Chrome {
    /// The page title (before " · vouchgraph").
    pub title: String,
    /// The signed-in person, if any.
    pub user: Option<ChromeUser>,
    /// The navigation entry to mark as current.
    pub nav: &'static str,
    /// A confirmation after a form's redirect.
    pub notice: Option<&'static str>,
    /// Unread notifications.
    pub unread: usize,
    /// Error pages show the brand only: they cannot know who is signed in.
    pub minimal: bool,
}

/// The signed-in person as the chrome shows them.
pub struct ChromeUser {
    /// Their name.
    pub name: String,
    /// The session's CSRF token, for the log-out form.
    pub csrf: String,
    /// Their first provider's id, for the dashboard link.
    pub dashboard: Option<i64>,
}

impl Chrome {
    /// The unread badge text.
    pub fn unread_badge(&self) -> String {
        if self.unread > 99 {
            "99+".into()
        } else {
            self.unread.to_string()
        }
    }

    /// The asset version, for cache-busting links.
    pub fn version(&self) -> &'static str {
        VERSION
    }

    /// Whether `entry` is the current navigation entry.
    pub fn is(&self, entry: &str) -> bool {
        self.nav == entry
    }
}
