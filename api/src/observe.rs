//! What an operator sees of the running server: a request id on every answer and every log
//! line of its request, and the Prometheus counters `/metrics` exports (requests by route
//! template and status, their durations). Depends on no other part of the crate, so that the
//! domain can read the current request id without a cycle.

use std::cell::RefCell;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry,
};
use tracing::Instrument;

/// The header a request id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static TASK_REQUEST_ID: String;
}

thread_local! {
    static THREAD_REQUEST_ID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The id of the request being served on this task or thread, if any.
pub fn current_request_id() -> Option<String> {
    THREAD_REQUEST_ID
        .with(|id| id.borrow().clone())
        .or_else(|| TASK_REQUEST_ID.try_with(String::clone).ok())
}

/// The current request's id, or a new one where no request is being served (the CLI).
pub fn request_id_or_new() -> String {
    current_request_id().unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Runs `f` (on a blocking thread) as part of the request `id`, in `span`: its log lines and
/// the ids of its errors are the request's.
pub fn in_request<T>(id: Option<String>, span: &tracing::Span, f: impl FnOnce() -> T) -> T {
    let _entered = span.enter();
    let previous = THREAD_REQUEST_ID.with(|slot| slot.replace(id));
    let out = f();
    THREAD_REQUEST_ID.with(|slot| *slot.borrow_mut() = previous);
    out
}

/// A caller's id is kept when it is a plausible one (a proxy's or a client's correlation id);
/// anything else is replaced, so that logs never carry what an attacker typed.
fn accepted_id(value: Option<&HeaderValue>) -> Option<String> {
    let text = value?.to_str().ok()?;
    let plausible = (8..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| text.to_string())
}

/// What the rest of the server knows at a scrape, read by the `/metrics` route.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Evaluation runs by state, from the database.
    pub evaluation_runs: Vec<(String, i64)>,
    /// Connections the pool holds.
    pub pool_connections: i64,
    /// Of them, idle.
    pub pool_idle: i64,
    /// The pool's bound.
    pub pool_size: i64,
    /// Failed logins since start.
    pub login_failures: u64,
    /// Lock-outs since start.
    pub login_lockouts: u64,
}

/// The server's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    evaluation_runs: IntGaugeVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_size: IntGauge,
    login_failures: IntCounter,
    login_lockouts: IntCounter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A registry with the request counters registered.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("pubeval".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )?;
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to its answer's head",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )?;
        let evaluation_runs = IntGaugeVec::new(
            Opts::new("evaluation_runs", "Evaluation runs by state"),
            &["status"],
        )?;
        let pool_connections =
            IntGauge::new("db_pool_connections", "Database connections the pool holds")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle pooled connections")?;
        let pool_size = IntGauge::new("db_pool_max_connections", "The pool's bound")?;
        let login_failures = IntCounter::new(
            "login_failures_total",
            "Failed logins since the server started",
        )?;
        let login_lockouts = IntCounter::new(
            "login_lockouts_total",
            "Logins refused while locked out, since the server started",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(durations.clone()))?;
        registry.register(Box::new(evaluation_runs.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(pool_size.clone()))?;
        registry.register(Box::new(login_failures.clone()))?;
        registry.register(Box::new(login_lockouts.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            durations,
            evaluation_runs,
            pool_connections,
            pool_idle,
            pool_size,
            login_failures,
            login_lockouts,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.durations
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// The registry in Prometheus' text format, with the gauges set from `snapshot`.
    pub fn render_with(&self, snapshot: &Snapshot) -> Result<String, prometheus::Error> {
        self.evaluation_runs.reset();
        for (status, n) in &snapshot.evaluation_runs {
            self.evaluation_runs.with_label_values(&[status]).set(*n);
        }
        self.pool_connections.set(snapshot.pool_connections);
        self.pool_idle.set(snapshot.pool_idle);
        self.pool_size.set(snapshot.pool_size);
        // The throttle keeps the totals; the counters catch up with them (never back).
        let behind = |counter: &IntCounter, total: u64| total.saturating_sub(counter.get());
        self.login_failures
            .inc_by(behind(&self.login_failures, snapshot.login_failures));
        self.login_lockouts
            .inc_by(behind(&self.login_lockouts, snapshot.login_lockouts));
        self.render()
    }

    /// The registry in Prometheus' text format.
    fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Middleware: gives the request an id (the caller's `X-Request-Id` when plausible), serves it
/// inside a span that names it, answers with the id, and counts the request under its route
/// template (`/api/v1/bodies/{id}`, never the raw path, so that the label set stays small).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = accepted_id(req.headers().get(REQUEST_ID_HEADER))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    // Handlers and the access log read the id from the request as well.
    let mut req = req;
    if let Ok(value) = HeaderValue::from_str(&id) {
        req.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    let metrics = req.app_data::<actix_web::web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let outcome = TASK_REQUEST_ID
        .scope(id.clone(), next.call(req).instrument(span))
        .await;
    let mut response = outcome?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_string());
        metrics.observe(
            &method,
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_ids_are_kept() {
        let keep = HeaderValue::from_static("3f2a9c1e-77b0-4d7e-9a4b-1c2d3e4f5a6b");
        assert_eq!(accepted_id(Some(&keep)).as_deref(), keep.to_str().ok());
        for bad in [
            "short",
            "has space in it",
            "<script>alert(1)</script>",
            &"x".repeat(65),
        ] {
            let value = HeaderValue::from_str(bad).unwrap();
            assert_eq!(accepted_id(Some(&value)), None, "{bad}");
        }
        assert_eq!(accepted_id(None), None);
    }

    #[test]
    fn a_blocking_step_carries_its_request_id() {
        let span = tracing::Span::none();
        let seen = in_request(Some("req-12345678".into()), &span, current_request_id);
        assert_eq!(seen.as_deref(), Some("req-12345678"));
        assert_eq!(current_request_id(), None, "restored after the step");
    }

    #[test]
    fn requests_are_counted_by_route_template() {
        let metrics = Metrics::new().unwrap();
        metrics.observe("GET", "/api/v1/bodies/{id}", 200, 0.004);
        metrics.observe("GET", "/api/v1/bodies/{id}", 200, 0.002);
        let text = metrics.render().unwrap();
        assert!(
            text.contains(
                "pubeval_http_requests_total{method=\"GET\",route=\"/api/v1/bodies/{id}\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("pubeval_http_request_duration_seconds_bucket"));
        let text = metrics
            .render_with(&Snapshot {
                evaluation_runs: vec![("a_state".into(), 3)],
                login_failures: 7,
                ..Snapshot::default()
            })
            .unwrap();
        assert!(
            text.contains("pubeval_evaluation_runs{status=\"a_state\"} 3"),
            "{text}"
        );
        assert!(text.contains("pubeval_login_failures_total 7"), "{text}");
    }
}
