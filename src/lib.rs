//! vouchgraph: ranks tradespeople for each seeker by who vouches for them, propagating trust
//! outward from the seeker, and always says why.

pub mod app;
pub mod auth;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod evaluate;
pub mod feed;
pub mod graph;
pub mod http;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod partners;
pub mod places;
pub mod ratelimit;
pub mod seeds;
pub mod startup;
pub mod state;
pub mod store;
pub mod synth;
pub mod telemetry;
pub mod web;
pub mod webhooks;
