//! What every handler can reach.

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::documents::Documents;
use crate::domain::clock::SharedClock;
use crate::evaluation::queue::EvaluationQueue;

/// Shared application state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Database connections.
    pub pool: DbPool,
    /// Token keys.
    pub keys: Arc<TokenKeys>,
    /// Callers whose tokens were checked a moment ago.
    pub principals: Arc<crate::domain::principal_cache::PrincipalCache>,
    /// Pages of the rankings of finished evaluations, read before.
    pub ranking_pages: Arc<crate::domain::evaluations::RankingPages>,
    /// Turns at the database, as many as the pool has connections: a request waits for one in
    /// arrival order on the async runtime, rather than as a blocking thread among dozens
    /// contending for the pool ([`AppState::db_turn`]).
    pub db_turns: Arc<tokio::sync::Semaphore>,
    /// Failed-login counts.
    pub throttle: Arc<LoginThrottle>,
    /// The configuration.
    pub config: Arc<Config>,
    /// Fonts and typesetting for PDFs and PNG charts.
    pub documents: Arc<Documents>,
    /// Where "now" comes from.
    pub clock: SharedClock,
    /// The queue evaluation runs go through.
    pub runs: Arc<EvaluationQueue>,
    /// The counters `/metrics` exports.
    pub metrics: crate::observe::Metrics,
}

impl AppState {
    /// The context a use case runs in for this principal.
    pub fn ctx(&self, principal: &crate::domain::Principal) -> crate::domain::Ctx {
        crate::domain::Ctx::new(principal.clone(), self.clock.clone())
    }

    /// Waits for a turn at the database; hold it while a blocking step uses a pooled
    /// connection. At 64 connections on two cores, 64 blocking threads taking turns at 8
    /// connections put a body's own result at p99 50 ms; in a queue they wait in order.
    pub async fn db_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        // The semaphore is never closed; were it, the step would go on without a turn.
        self.db_turns.clone().acquire_owned().await.ok()
    }

    /// Runs a use case off the async runtime, with a pooled connection, in the principal's
    /// context (the JSON API and the console both call use cases through this).
    pub async fn run<T, F>(
        &self,
        principal: &crate::domain::Principal,
        f: F,
    ) -> crate::domain::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::DbConn, &crate::domain::Ctx) -> crate::domain::Result<T>
            + Send
            + 'static,
    {
        let ctx = self.ctx(principal);
        let pool = self.pool.clone();
        let (request, span) = (
            crate::observe::current_request_id(),
            tracing::Span::current(),
        );
        let _turn = self.db_turn().await;
        actix_web::web::block(move || {
            crate::observe::in_request(request, &span, || {
                let mut conn = pool
                    .get()
                    .map_err(|e| crate::domain::Error::from(crate::db::DbError::from(e)))?;
                f(&mut conn, &ctx)
            })
        })
        .await
        .map_err(crate::domain::Error::internal)?
    }

    /// Delivers a document (the JSON API and the console both call this): counted against the
    /// caller's share of documents (429 `too_many_requests` beyond it), its material read on a
    /// pooled connection, then rendered after the connection is back in the pool, on a bounded
    /// number of threads — and, when the material gives a key, served from memory if it was
    /// rendered before.
    pub async fn document<M, L, R>(
        &self,
        principal: &crate::domain::Principal,
        load: L,
        render: R,
    ) -> crate::domain::Result<crate::domain::documents::Document>
    where
        M: Send + 'static,
        L: FnOnce(
                &mut crate::db::DbConn,
                &crate::domain::Ctx,
            ) -> crate::domain::Result<(M, Option<String>)>
            + Send
            + 'static,
        R: FnOnce(M) -> crate::domain::Result<crate::domain::documents::Document> + Send + 'static,
    {
        self.documents.gate.admit(principal)?;
        let (material, key) = self.run(principal, load).await?;
        self.documents
            .gate
            .render(key, move || render(material))
            .await
    }

    /// [`AppState::document`] for a document set with the server's typesetter (PDF, PNG): 503
    /// `font_unavailable`, saying how to install one, when the server has no CJK font.
    pub async fn typeset_document<M, L, R>(
        &self,
        principal: &crate::domain::Principal,
        load: L,
        render: R,
    ) -> crate::domain::Result<crate::domain::documents::Document>
    where
        M: Send + 'static,
        L: FnOnce(
                &mut crate::db::DbConn,
                &crate::domain::Ctx,
            ) -> crate::domain::Result<(M, Option<String>)>
            + Send
            + 'static,
        R: FnOnce(
                M,
                &pubeval_reports::Typesetter,
            ) -> crate::domain::Result<crate::domain::documents::Document>
            + Send
            + 'static,
    {
        let documents = self.documents.clone();
        self.document(principal, load, move |material| {
            let typesetter = documents.typesetter_or_503()?;
            render(material, &typesetter)
        })
        .await
    }

    /// Signs in (the JSON API and the console both call this): through the login throttle
    /// (429 while the name waits at this address), the account read on a pooled connection,
    /// the secret checked after that connection is back in the pool, on at most the
    /// throttle's number of verification permits at once. The token, or 401.
    pub async fn sign_in(
        &self,
        grant: crate::domain::sessions::Grant,
        address: Option<std::net::IpAddr>,
    ) -> crate::domain::Result<String> {
        use crate::domain::sessions;
        let attempt = sessions::begin(&self.throttle, &grant, address).await?;
        let system = crate::domain::Principal::System {
            name: "system:login".into(),
        };
        let lookup = grant.clone();
        let account = self
            .run(&system, move |conn, _| sessions::find(conn, &lookup))
            .await?;
        // The semaphore is never closed; if it were, the check would run unbounded, not fail.
        let _permit = if account.is_slow() {
            self.throttle.verifications().acquire().await.ok()
        } else {
            None
        };
        let keys = self.keys.clone();
        let token = actix_web::web::block(move || sessions::check(&keys, &account, &grant))
            .await
            .map_err(crate::domain::Error::internal)??;
        sessions::finish(attempt, token)
    }

    /// The caller's address: the connection's peer, or, when that is one of the configured
    /// `trusted_proxies`, the right-most untrusted address of `X-Forwarded-For`.
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            // A line that is not text ends the walk there, as an entry that is no address does.
            .map(|v| v.to_str().unwrap_or(""))
            .collect();
        crate::auth::proxies::client_address(
            req.peer_addr().map(|a| a.ip()),
            &forwarded,
            &self.config.trusted_proxies,
        )
    }
}
