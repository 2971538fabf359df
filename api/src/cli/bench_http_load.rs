//! The load side of `pubeval bench http`: keep-alive HTTP/1.1 connections driven from one
//! thread by an event loop, as wrk does. A thread per connection (the first version) spent
//! the two cores of the development machine on its own scheduling: at 64 connections even
//! `/healthz` then had a p99 of 27 ms, which measured the client, not the server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, HOST, IF_MATCH};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One request of a scenario as a connection sends it over and over: method, path, bearer
/// token and JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `GET`, `POST` or `PUT`.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// Bearer token, if any.
    pub token: Option<String>,
    /// JSON body, if any.
    pub body: Option<Value>,
}

/// Where the server listens: its socket address and the `Host` header to send.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    addr: SocketAddr,
    host: String,
}

impl Target {
    /// Resolves an `http://host:port` URL (the bench runs beside the server; no TLS).
    pub fn parse(url: &str) -> anyhow::Result<Target> {
        use std::net::ToSocketAddrs;
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| anyhow::anyhow!("--url {url}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            anyhow::bail!(
                "--url {url}: only http:// is supported (run the bench beside the server)"
            );
        }
        let host = uri
            .host()
            .ok_or_else(|| anyhow::anyhow!("--url {url}: no host"))?;
        let port = uri.port_u16().unwrap_or(80);
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| anyhow::anyhow!("--url {url}: {host} does not resolve"))?;
        Ok(Target {
            addr,
            host: format!("{host}:{port}"),
        })
    }
}

/// The latencies of one scenario at one number of connections, and how many answers were not
/// the expected status (or failed).
pub(crate) struct Cell {
    /// Every answered request's latency, sorted.
    pub latencies_ms: Vec<f64>,
    /// Answers with another status, and failed requests.
    pub wrong: usize,
    /// Wall time of the cell.
    pub elapsed: f64,
}

/// Runs `requests.len()` connections for `seconds`, connection `c` sending `requests[c]`
/// again and again; a `PUT` carries the `ETag` of its previous answer in `If-Match`, starting
/// from the resource's current one.
pub(crate) fn run_cell(
    target: &Target,
    requests: Vec<Request>,
    seconds: u64,
    expect: &'static [u16],
) -> anyhow::Result<Cell> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let per_connection = runtime.block_on(async {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|request| tokio::spawn(connection(target.clone(), request, deadline, expect)))
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            out.push(task.await);
        }
        out
    });
    let mut cell = Cell {
        latencies_ms: Vec::new(),
        wrong: 0,
        elapsed: started.elapsed().as_secs_f64(),
    };
    for result in per_connection {
        let (times, wrong) = result??;
        cell.latencies_ms.extend(times);
        cell.wrong += wrong;
    }
    cell.latencies_ms.sort_by(f64::total_cmp);
    Ok(cell)
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Opens a keep-alive connection; its driver runs as a task of the event loop.
async fn open(target: &Target) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(target.addr).await?;
    stream.set_nodelay(true)?;
    let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // The server closing the connection ends the driver; the next send reports it.
        let _ = driver.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole answer: its status and `ETag`.
async fn send(
    sender: &mut Sender,
    target: &Target,
    request: &Request,
    method: &str,
    if_match: Option<&str>,
) -> anyhow::Result<(u16, Option<String>)> {
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(request.path.as_str())
        .header(HOST, target.host.as_str());
    if let Some(token) = &request.token {
        builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(tag) = if_match {
        builder = builder.header(IF_MATCH, tag);
    }
    let body = match (&request.body, method) {
        (Some(json), "POST" | "PUT") => {
            builder = builder.header(CONTENT_TYPE, "application/json");
            Bytes::from(serde_json::to_vec(json)?)
        }
        _ => Bytes::new(),
    };
    sender.ready().await?;
    let answer = sender.send_request(builder.body(Full::new(body))?).await?;
    let status = answer.status().as_u16();
    let etag = answer
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Reading the body to its end is part of the request's time, and frees the connection.
    answer.into_body().collect().await?;
    Ok((status, etag))
}

/// One connection's loop until `deadline`: its latencies and its unexpected answers.
async fn connection(
    target: Target,
    request: Request,
    deadline: Instant,
    expect: &'static [u16],
) -> anyhow::Result<(Vec<f64>, usize)> {
    let mut sender = open(&target).await?;
    // A save goes on from the report's current revision.
    let mut etag = None;
    if request.method == "PUT"
        && let (200, tag) = send(&mut sender, &target, &request, "GET", None).await?
    {
        etag = tag;
    }
    let (mut times, mut wrong) = (Vec::new(), 0usize);
    while Instant::now() < deadline {
        let t = Instant::now();
        match send(
            &mut sender,
            &target,
            &request,
            request.method,
            etag.as_deref(),
        )
        .await
        {
            Ok((status, tag)) => {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                if !expect.contains(&status) {
                    wrong += 1;
                }
                if tag.is_some() {
                    etag = tag;
                }
            }
            Err(_) => {
                wrong += 1;
                // A broken connection is opened again, as a browser would.
                sender = open(&target).await?;
            }
        }
    }
    Ok((times, wrong))
}
