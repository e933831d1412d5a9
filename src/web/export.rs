//! `/account/export`: the archive of one's data, built in the background and downloaded once,
//! through the same use cases as `/v1/me/exports` (`app::export`). A refusal (five archives a
//! day, a link used already) shows the page again with the reason.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::app::export::{self, ArchiveRow};
use crate::app::AppError;
use crate::state::AppState;

use super::page::{render, see_other, Chrome, WebError};
use super::referrals::EmptyForm;
use super::session::{Posted, Visitor};

/// The latest request, in words.
struct Shown {
    id: i64,
    status: String,
    size: String,
    requested: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    chrome: Chrome,
    csrf: String,
    archive: Option<Shown>,
    /// Whether a new archive may be asked for (none is being built).
    can_ask: bool,
    error: Option<String>,
}

fn time_of(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[hour]:[minute] UTC on [day padding:none] [month repr:short]"
    ))
    .unwrap_or_default()
}

fn size_of(bytes: Option<i64>) -> String {
    match bytes {
        Some(b) if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        Some(b) if b >= 1_000 => format!("{} kB", b / 1_000),
        Some(b) => format!("{b} bytes"),
        None => String::new(),
    }
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/export")?;
    let latest = export::latest_archive(state, me.person).await?;
    let can_ask = latest.as_ref().is_none_or(|row| row.status != "building");
    let page = ExportPage {
        can_ask,
        chrome: Chrome::new(state, visitor, "account", "Your data").await?,
        csrf: me.csrf.clone(),
        archive: latest.map(|row: ArchiveRow| Shown {
            id: row.id,
            size: size_of(row.bytes),
            requested: time_of(row.requested_at),
            expires: time_of(row.expires_at),
            status: row.status,
        }),
        error,
    };
    render(status, &page)
}

/// The page: the latest archive and what can be done with it.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    show(&state, &visitor, None, StatusCode::OK).await
}

/// Asks for an archive; the page then says it is on its way.
pub async fn request(
    State(state): State<AppState>,
    Posted { visitor, .. }: Posted<EmptyForm>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/export")?;
    match export::request_archive(&state, me.person).await {
        Ok(_) => Ok(see_other("/account/export")),
        Err(AppError::TooManyAttempts { .. }) => {
            let why = format!(
                "You asked for {} archives in the last day, the most there may be. Download the \
                 latest, or ask again tomorrow.",
                export::ARCHIVES_PER_DAY
            );
            show(&state, &visitor, Some(why), StatusCode::TOO_MANY_REQUESTS).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Downloads the archive, once.
pub async fn download(
    State(state): State<AppState>,
    visitor: Visitor,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    let me = visitor.require_for("/account/export")?;
    match export::download(&state, me.person, id).await {
        Ok(archive) => Ok(crate::http::archives::attachment(me.person.0, archive)),
        Err(AppError::Conflict(why)) => {
            show(&state, &visitor, Some(why), StatusCode::CONFLICT).await
        }
        Err(AppError::NotFound(_)) => Ok(see_other("/account/export")),
        Err(other) => Err(other.into()),
    }
}
