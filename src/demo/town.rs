//! The generated demo town as plain data: no ids and no database, only positions in vectors,
//! which the insert step maps to the ids Postgres hands out.

use crate::domain::{Stance, TrustLevel, Visibility};

/// Everything the demo creates. References between items are indexes into these vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoTown {
    /// People, story people first (see [`super::story`]); each gets an account.
    pub people: Vec<DemoPerson>,
    /// Providers, story providers first.
    pub providers: Vec<DemoProvider>,
    /// Trust edges; at most one per (truster, trustee), never to oneself.
    pub trust: Vec<DemoTrust>,
    /// Vouches; at most one per (person, provider, trade).
    pub vouches: Vec<DemoVouch>,
}

/// A resident, with an account.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoPerson {
    /// "First Last".
    pub name: String,
    /// The account's email, unique.
    pub email: String,
    /// The account's password if it has its own (story accounts); `None` means the shared
    /// [`super::SHARED_PASSWORD`].
    pub password: Option<&'static str>,
    /// Index into [`super::geography::NEIGHBOURHOODS`].
    pub hood: usize,
    /// Home latitude, in degrees.
    pub lat: f64,
    /// Home longitude, in degrees.
    pub lon: f64,
    /// Whether they seed the global prior.
    pub pre_trusted: bool,
}

/// A business.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoProvider {
    /// Index of the owning person in [`DemoTown::people`].
    pub owner: usize,
    /// The business name, unique in the town.
    pub name: String,
    /// A one-line description.
    pub description: String,
    /// Trade slugs, the main trade first; one or two.
    pub trades: Vec<&'static str>,
    /// Service-area centre latitude.
    pub lat: f64,
    /// Service-area centre longitude.
    pub lon: f64,
    /// Service-area radius, 3 to 15 km.
    pub radius_km: f64,
    /// A phone number from Ofcom's range reserved for drama, so no real line is ever rung.
    pub phone: String,
    /// A website under the reserved `.example` top-level domain.
    pub website: String,
    /// A contact address under the same domain.
    pub email: String,
}

/// "truster trusts trustee".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DemoTrust {
    /// Index of the truster.
    pub truster: usize,
    /// Index of the trustee.
    pub trustee: usize,
    /// How much.
    pub level: TrustLevel,
    /// Who may see it.
    pub visibility: Visibility,
}

/// A recommendation of, or a warning against, a provider for one trade.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoVouch {
    /// Index of the voucher.
    pub person: usize,
    /// Index of the provider.
    pub provider: usize,
    /// The trade's slug; always one the provider offers.
    pub trade: &'static str,
    /// Recommend or warn.
    pub stance: Stance,
    /// Who may see it.
    pub visibility: Visibility,
    /// The note, possibly empty.
    pub note: String,
}

impl DemoTown {
    /// The index of the person with this email.
    pub fn person_by_email(&self, email: &str) -> Option<usize> {
        self.people.iter().position(|p| p.email == email)
    }

    /// The index of the provider with this name.
    pub fn provider_by_name(&self, name: &str) -> Option<usize> {
        self.providers.iter().position(|p| p.name == name)
    }

    /// How many vouches recommend and how many warn.
    pub fn stance_counts(&self) -> (usize, usize) {
        let recommend = self
            .vouches
            .iter()
            .filter(|v| v.stance == Stance::Recommend)
            .count();
        (recommend, self.vouches.len() - recommend)
    }
}
