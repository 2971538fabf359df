//! The bounded queue evaluation runs go through: a fixed number of worker threads take started
//! evaluations from a bounded channel and run them, so that requests never spawn threads of
//! their own and a burst of runs cannot exhaust the machine. At most one run per year exists
//! at a time (`domain::evaluations::start` checks it in its transaction), so the queue holds
//! at most one run per year. Stopping closes the channel and waits for the runs under way.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::db::DbPool;
use crate::domain::{self, Ctx, ErrorCode};

/// Runs waiting at most; one more is refused (503) rather than waited for.
pub const CAPACITY: usize = 64;

/// Why the queue did not take a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// [`CAPACITY`] runs are waiting.
    Full,
    /// The server is stopping.
    Closed,
}

impl Refused {
    /// The reason, in Chinese and English, as a failed run records it.
    pub fn reason(self) -> String {
        match self {
            Refused::Full => "评价队列已满，未能开始 / the evaluation queue is full".into(),
            Refused::Closed => "服务正在停止，未能开始 / the server is stopping".into(),
        }
    }
}

impl From<Refused> for domain::Error {
    fn from(refused: Refused) -> domain::Error {
        domain::Error::with_message(ErrorCode::EvaluationsUnavailable, refused.reason())
    }
}

impl domain::evaluations::Runs for EvaluationQueue {
    fn enqueue(&self, evaluation_id: &str) -> domain::Result<()> {
        Ok(EvaluationQueue::enqueue(self, evaluation_id)?)
    }
}

/// The queue and its workers.
#[derive(Debug)]
pub struct EvaluationQueue {
    sender: Mutex<Option<SyncSender<String>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked holding a lock left nothing half-written in these.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EvaluationQueue {
    /// Starts `workers` threads (at least one) running evaluations over `pool`; their audit
    /// entries are written in `ctx` (the platform's, on the application's clock).
    pub fn start(pool: DbPool, ctx: Ctx, workers: usize) -> std::io::Result<EvaluationQueue> {
        let (sender, receiver) = sync_channel::<String>(CAPACITY);
        let receiver = Arc::new(Mutex::new(receiver));
        let mut handles = Vec::new();
        for n in 0..workers.max(1) {
            let receiver = receiver.clone();
            let pool = pool.clone();
            let ctx = ctx.clone();
            handles.push(
                std::thread::Builder::new()
                    .name(format!("evaluation-{n}"))
                    .spawn(move || work(&receiver, &pool, &ctx))?,
            );
        }
        Ok(EvaluationQueue {
            sender: Mutex::new(Some(sender)),
            workers: Mutex::new(handles),
        })
    }

    /// Queues a started (`running`) evaluation; refused when full or stopping.
    pub fn enqueue(&self, evaluation_id: &str) -> Result<(), Refused> {
        let sender = locked(&self.sender);
        let Some(sender) = sender.as_ref() else {
            return Err(Refused::Closed);
        };
        sender
            .try_send(evaluation_id.to_string())
            .map_err(|e| match e {
                TrySendError::Full(_) => Refused::Full,
                TrySendError::Disconnected(_) => Refused::Closed,
            })
    }

    /// Closes the queue and waits for the workers: the runs already queued or under way
    /// finish; later ones are refused.
    pub fn shutdown(&self) {
        drop(locked(&self.sender).take());
        let handles: Vec<JoinHandle<()>> = locked(&self.workers).drain(..).collect();
        for handle in handles {
            if handle.join().is_err() {
                tracing::error!("an evaluation worker panicked");
            }
        }
    }
}

/// A worker: runs queued evaluations until the channel closes.
fn work(receiver: &Mutex<Receiver<String>>, pool: &DbPool, ctx: &Ctx) {
    loop {
        // The lock is held only while waiting, so another worker takes the next run.
        let next = locked(receiver).recv();
        let Ok(id) = next else {
            return;
        };
        let progress = |stage: super::Stage| tracing::info!(evaluation = %id, stage = stage.label(), "evaluation");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            super::execute(pool, ctx, &id, &progress)
        }));
        if outcome.is_err() {
            // `execute` records failures itself; a panic skipped that.
            tracing::error!(evaluation = %id, "the evaluation panicked");
            let failed = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                domain::evaluations::fail(
                    &mut conn,
                    ctx,
                    &id,
                    "评价程序异常中止 / the evaluation stopped unexpectedly",
                )
                .map_err(|e| e.to_string())
            });
            if let Err(e) = failed {
                tracing::error!(evaluation = %id, error = %e, "could not mark the evaluation failed");
            }
        }
    }
}

impl Drop for EvaluationQueue {
    fn drop(&mut self) {
        // Without an explicit shutdown (tests, benches), closing the channel lets the workers
        // end once their run is done; they are not waited for.
        drop(locked(&self.sender).take());
    }
}
