//! Partner settings: the secret embed tokens are signed with.

/// The partner settings.
#[derive(Clone)]
pub struct PartnerSettings {
    /// The secret embed tokens are signed with (`VOUCHGRAPH_EMBED_SECRET`; at least 32
    /// characters). Unset, each process makes a random one: tokens then do not survive a
    /// restart or cross instances, so set it when running more than one.
    pub embed_secret: Option<String>,
}

impl std::fmt::Debug for PartnerSettings {
    // A secret: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerSettings")
            .field(
                "embed_secret",
                &self.embed_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl PartnerSettings {
    /// Reads the settings from the environment.
    pub fn from_env() -> anyhow::Result<PartnerSettings> {
        let embed_secret = std::env::var("VOUCHGRAPH_EMBED_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        if embed_secret.as_ref().is_some_and(|s| s.len() < 32) {
            anyhow::bail!("VOUCHGRAPH_EMBED_SECRET must be at least 32 characters");
        }
        Ok(PartnerSettings { embed_secret })
    }

    /// A fixed secret, so tests can mint tokens of their own (an expired one, say).
    pub fn for_tests() -> PartnerSettings {
        PartnerSettings {
            embed_secret: Some("test embed secret, not for production use".into()),
        }
    }
}
