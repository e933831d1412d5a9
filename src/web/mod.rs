//! The web app: server-rendered pages for homeowners and providers, served by the same axum
//! server as the JSON API.
//!
//! Pages are askama templates compiled into the binary (`web/templates/`, see `askama.toml`);
//! the stylesheet, a few lines of progressive JavaScript and the icon are embedded too and
//! served from `/static/`, so the app needs no front-end build step and no CDN. Every page works
//! without JavaScript.
//!
//! Handlers call the store and the trust engine directly, as the API handlers do, and keep the
//! same rules: the same sessions (the `vg_session` cookie), the same visibility rule for trust
//! edges and vouches, the same referral lifecycle. Forms post back to these handlers with the
//! session's CSRF token in a hidden field (see `session.rs`).
//!
//! | file | what |
//! |---|---|
//! | `session.rs` | who is looking: the session cookie, CSRF checks, the pre-sign-in form token |
//! | `page.rs` | the page chrome, rendering, notices, the HTML error page, security headers |
//! | `assets.rs` | `/static/`: CSS, JS and icon, embedded in the binary |
//! | `home.rs`, `account.rs` | `/`, log in, sign up, log out |
//! | `circle.rs` | `/circle`: find people, trust them, change or revoke it; the first-run guide |
//! | `settings.rs` | `/settings`: name and home, password, and the ways to email, business and data |
//! | `contacts.rs` | inviting by email, `/join`, offers to trust back, `/circle/import` |
//! | `search.rs` | `/search`: ranked providers with their trust paths |
//! | `provider.rs`, `refer.rs` | `/providers/{id}`: profile, vouches, vouch and refer forms |
//! | `referrals.rs`, `moves.rs` | `/referrals` with the viewer's moves, and `/inbox` |
//! | `requests.rs` | `/requests`: ask your circle, requests asked of you, a request with its answers ranked |
//! | `export.rs` | `/account/export`: the archive of one's data, built and downloaded once |
//! | `delete_account.rs` | `/account/delete`: deleting one's account, password confirmed |
//! | `email.rs` | `/verify-email`, `/forgot-password`, `/reset-password`, `/unsubscribe`, `/account/email` |
//! | `invitation.rs` | `/invitation?token=`: an invitation link claimed, or on to sign-up |
//! | `network.rs` | `/network`: the seeker's 2-hop neighbourhood as a map |
//! | `owner.rs`, `dashboard.rs`, `customer.rs` | a provider's profile editor, dashboard and one customer's history (owner only) |
//! | `partners/`, `partner_webhooks.rs` | `/partners`: a partner's keys, origins, widget snippet and webhooks (owner only) |
//! | `svg/` | server-side SVG: trust paths, the network map, the referral funnel |

mod account;
mod assets;
mod chrome;
mod circle;
mod contacts;
mod customer;
mod dashboard;
mod delete_account;
mod email;
mod error;
mod export;
mod home;
mod invitation;
mod network;
mod owner;
mod page;
pub mod partner_link;
mod partner_webhooks;
mod partners;
mod provider;
mod redirect;
mod refer;
mod referrals;
mod requests;
mod search;
mod session;
mod settings;
pub mod svg;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Every page, form handler and static file, with the security headers the pages need.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(account::login_page).post(account::login))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/logout", post(account::logout))
        .route("/circle", get(circle::circle))
        .route("/circle/trust", post(circle::trust))
        .route("/circle/revoke", post(circle::revoke))
        .route("/circle/invite", post(contacts::invite))
        .route("/circle/offers/decline", post(contacts::decline))
        .route(
            "/circle/import",
            get(contacts::import_page)
                .post(contacts::import)
                .layer(DefaultBodyLimit::max(
                    crate::http::circle::CONTACTS_BODY_BYTES,
                )),
        )
        .route("/circle/import/apply", post(contacts::apply))
        .route("/join", get(contacts::join))
        .route("/settings", get(settings::settings))
        .route("/settings/profile", post(settings::save_profile))
        .route("/settings/password", post(settings::change_password))
        .route("/search", get(search::search))
        .route("/network", get(network::network))
        .route("/providers/{id}", get(provider::provider))
        .route("/providers/{id}/vouch", post(provider::vouch))
        .route("/providers/{id}/vouch/withdraw", post(provider::withdraw))
        .route("/providers/{id}/refer", post(refer::refer))
        .route("/providers/new", get(owner::new_page).post(owner::create))
        .route(
            "/providers/{id}/edit",
            get(owner::edit_page).post(owner::edit),
        )
        .route("/providers/{id}/dashboard", get(dashboard::dashboard))
        .route("/providers/{id}/customers/{person}", get(customer::page))
        .route(
            "/providers/{id}/customers/{person}/note",
            post(dashboard::save_note),
        )
        .route(
            "/providers/{id}/customers/{person}/vouch-request",
            post(dashboard::ask_for_vouch),
        )
        .route("/referrals", get(referrals::referrals))
        .route("/referrals/{id}/move", post(referrals::make_move))
        .route(
            "/referrals/{id}/contact-dispute",
            post(referrals::dispute_contact),
        )
        .route(
            "/invitation",
            get(invitation::invitation).post(invitation::claim),
        )
        .route("/account/export", get(export::page).post(export::request))
        .route("/account/export/{id}/download", get(export::download))
        .route(
            "/account/delete",
            get(delete_account::page).post(delete_account::delete),
        )
        .route("/verify-email", get(email::verify_page).post(email::verify))
        .route(
            "/forgot-password",
            get(email::forgot_page).post(email::forgot),
        )
        .route("/reset-password", get(email::reset_page).post(email::reset))
        .route(
            "/unsubscribe",
            get(email::unsubscribe_page).post(email::unsubscribe),
        )
        .route(
            "/account/email",
            get(email::settings_page).post(email::save_settings),
        )
        .route("/account/email/verification", post(email::resend))
        .route("/requests", get(requests::requests).post(requests::ask))
        .route("/requests/{id}", get(requests::request))
        .route("/requests/{id}/answer", post(requests::answer))
        .route(
            "/requests/{id}/answers/{answer}/take",
            post(requests::take_answer),
        )
        .route("/requests/{id}/close", post(requests::close))
        .route("/inbox", get(referrals::inbox))
        .route("/inbox/read-all", post(referrals::read_all))
        .route(
            "/partners",
            get(partners::partners).post(partners::create_partner),
        )
        .route("/partners/{id}", get(partners::partner))
        .route(
            "/partners/{id}/link",
            get(partner_link::link_page).post(partner_link::link),
        )
        .route("/partners/{id}/unlink", post(partner_link::unlink))
        .route("/partners/{id}/origins", post(partners::save_origins))
        .route("/partners/{id}/keys", post(partners::create_key))
        .route(
            "/partners/{id}/keys/{key}/rotate",
            post(partners::rotate_key),
        )
        .route(
            "/partners/{id}/keys/{key}/revoke",
            post(partners::revoke_key),
        )
        .route("/partners/{id}/widget", get(partners::widget))
        .route(
            "/partners/{id}/widget/preview",
            get(partners::widget_preview),
        )
        .route(
            "/partners/{id}/webhooks",
            get(partner_webhooks::webhooks).post(partner_webhooks::create_endpoint),
        )
        .route(
            "/partners/{id}/webhooks/{endpoint}/test",
            post(partner_webhooks::send_test),
        )
        .route(
            "/partners/{id}/webhooks/{endpoint}/enabled",
            post(partner_webhooks::set_enabled),
        )
        .route(
            "/partners/{id}/webhooks/{endpoint}/delete",
            post(partner_webhooks::delete_endpoint),
        )
        .route(
            "/partners/{id}/webhooks/{endpoint}/deliveries/{delivery}/redeliver",
            post(partner_webhooks::redeliver),
        )
        .route("/static/{file}", get(assets::asset))
        .layer(axum::middleware::map_response(page::security_headers))
}
